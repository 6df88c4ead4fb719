"""Fixtures for the import/export tests: a shop whose points wait a week and expire after a year."""

from __future__ import annotations

import pytest

from bashgah.core.db import Database
from support import Club, make_club


@pytest.fixture
async def shop(db: Database) -> Club:
    """1 point per 10,000 rials, points spendable 7 days after the sale, expiring after 12 months."""
    return await make_club(
        db,
        "alpha",
        earn_points=1,
        earn_per_rials=10_000,
        pending_days=7,
        expiry_mode="months",
        expiry_months=12,
    )

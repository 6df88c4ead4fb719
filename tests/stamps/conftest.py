"""Fixtures of the stamp tests."""

from __future__ import annotations

import httpx
import pytest
from stamp_helpers import card_and_member

from support import Club


@pytest.fixture
async def holder(client: httpx.AsyncClient, club: Club) -> int:
    """The id of a new member of a club with the coffee card (10 stamps for a free coffee)."""
    return await card_and_member(client, club)

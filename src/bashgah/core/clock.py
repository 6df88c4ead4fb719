"""The current instant — and a way to record history at the moment it happened.

Every "now" of the services comes from :func:`utcnow`. :func:`replaying` sets it, for the current task
only, to a moment in the past: the demo club (``bashgah demo``) makes its returns through the till's own
refund service, each at the day and hour the customer came back, so that they are dated then. Nothing
else sets it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_replayed: ContextVar[datetime | None] = ContextVar("bashgah_replayed_now", default=None)


def utcnow() -> datetime:
    """The current instant as an aware UTC datetime (or the replayed one, inside :func:`replaying`)."""
    return _replayed.get() or datetime.now(UTC)


@contextmanager
def replaying(moment: datetime) -> Iterator[None]:
    """Run the block as if it were ``moment`` (aware) for every service that asks for the time."""
    if moment.tzinfo is None:
        raise ValueError("replaying needs an aware datetime")
    token = _replayed.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _replayed.reset(token)

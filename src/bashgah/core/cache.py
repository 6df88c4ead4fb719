"""Small in-process caches with a time limit, for rows read on every request and rarely changed.

Entries are keyed by the database URL as well, so two databases in one process (tests, benchmarks)
never see each other's rows. A change made in this process invalidates its entry at once; a change
made by another process (the CLI, another worker) is seen within ``ttl`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

K = TypeVar("K")
V = TypeVar("V")

_caches: list[TTLCache[object, object]] = []


def scope(session: AsyncSession) -> str:
    bind = session.bind
    if isinstance(bind, AsyncConnection):
        return str(bind.engine.url)
    return str(bind.url) if bind is not None else ""


class TTLCache(Generic[K, V]):
    def __init__(self, ttl: float, maxsize: int = 10_000) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        self._data: dict[K, tuple[float, V]] = {}
        _caches.append(self)  # type: ignore[arg-type]

    def get(self, key: K) -> V | None:
        hit = self._data.get(key)
        if hit is None:
            return None
        expires, value = hit
        if expires < time.monotonic():
            self._data.pop(key, None)
            return None
        return value

    def set(self, key: K, value: V) -> None:
        if len(self._data) >= self.maxsize:
            self._data.clear()
        self._data[key] = (time.monotonic() + self.ttl, value)

    def invalidate(self, key: K) -> None:
        self._data.pop(key, None)

    def clear(self) -> None:
        self._data.clear()


def clear_all() -> None:
    """Forget everything (tests that empty the database call this)."""
    for cache in _caches:
        cache.clear()


class TenantCache(Generic[V]):
    """One value per (database, tenant), read on every sale and rarely changed: a tenant's active
    campaigns, stamp cards, tier ladder. ``None`` is cached too (a club without tiers is asked on
    every sale); a change made in this process forgets the tenant's entry at once."""

    def __init__(self, ttl: float) -> None:
        self._values: TTLCache[tuple[str, int], tuple[V]] = TTLCache(ttl=ttl)

    async def get(self, session: AsyncSession, tenant_id: int, load: Callable[[], Awaitable[V]]) -> V:
        """The cached value, or what ``load`` reads (then cached)."""
        key = (scope(session), tenant_id)
        hit = self._values.get(key)
        if hit is None:
            hit = (await load(),)
            self._values.set(key, hit)
        return hit[0]

    def forget(self, session: AsyncSession, tenant_id: int) -> None:
        self._values.invalidate((scope(session), tenant_id))

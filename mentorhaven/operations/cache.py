"""The production cache: Django's Redis cache that keeps answering while Redis is away.

The cache holds nothing that must survive: rate-limit counters, used one-time codes, "last seen"
throttles, short-lived lookups. So when a call fails with a Redis error, this process serves it
(and the next calls, for ``RETRY_SECONDS``) from a memory cache of its own instead of failing the
request, then tries Redis again. During an outage rate limits and the one-time-code replay guard
hold per process rather than across the site; every page and API call keeps working
(tests/operations/test_faults.py). Each fallback is logged once per outage window.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("mentorhaven.cache")

RETRY_SECONDS = 5.0
_WRAPPED = (
    "add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many",
    "delete_many", "clear",
)  # fmt: skip


class FailoverRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._local = LocMemCache(
            f"mentorhaven-failover-{id(self)}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": 10_000}},
        )
        self._redis_down_until = 0.0

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self._redis_down_until:
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except RedisError as exc:
                logger.warning(
                    "cache: Redis unavailable (%s); this process uses its memory cache for %.0f s",
                    type(exc).__name__,
                    RETRY_SECONDS,
                )
                self._redis_down_until = time.monotonic() + RETRY_SECONDS
        return getattr(self._local, name)(*args, **kwargs)


def _delegate(name: str):
    def method(self: FailoverRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


for _name in _WRAPPED:
    setattr(FailoverRedisCache, _name, _delegate(_name))

"""The production cache answers from memory while Redis is away, instead of failing requests."""

from __future__ import annotations

from mentorhaven.operations.cache import FailoverRedisCache
from tests.web.production import free_port


def test_with_redis_away_the_cache_falls_back_to_memory_and_keeps_counting(caplog):
    cache = FailoverRedisCache(f"redis://127.0.0.1:{free_port()}/0", {})  # nobody listens
    assert cache.get("missing") is None
    assert cache.add("attempts", 1, 60) is True
    assert cache.incr("attempts") == 2
    cache.set("code-used", True, 30)
    assert cache.get("code-used") is True
    assert cache.get_many(["attempts", "code-used"]) == {"attempts": 2, "code-used": True}
    assert "Redis unavailable" in caplog.text

"""One Redis connection pool per process for Django's cache.

Django keeps its cache objects in an asgiref ``Local`` that is not
thread-critical, which under ASGI means one per request context: every
request built a new ``RedisCache``, hence a new connection pool, hence a
new TCP connection to Redis. In a join storm of 2,000 phones on the
scale-out set-up, making those connections was 10 % of each server's time
(py-spy, docs/performance.md). This pool class hands every cache object of
the process the same pool for the same address and options.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import redis

_lock = threading.Lock()
_pools: dict[tuple[int, str, tuple[tuple[str, Any], ...]], redis.ConnectionPool] = {}


class SharedConnectionPool(redis.ConnectionPool):
    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> redis.ConnectionPool:
        # By process id too: a forked child must not use its parent's sockets.
        key = (os.getpid(), url, tuple(sorted(kwargs.items(), key=lambda item: item[0])))
        with _lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = super().from_url(url, **kwargs)
            return pool

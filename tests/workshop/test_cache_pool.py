"""Django's cache objects share one Redis connection pool per process
(workshop/cache_pool.py): under ASGI each request context made its own."""

import asyncio
import contextvars

import pytest
from django.core.cache.backends.redis import RedisCache

from workshop.cache_pool import SharedConnectionPool

from ..private_redis import PrivateRedis


@pytest.fixture(scope="module")
def redis_url():
    server = PrivateRedis()
    server.start()
    yield server.url
    server.stop()


def _cache(url: str) -> RedisCache:
    # As Django builds one for each context that asks for caches["default"].
    return RedisCache(url, {"OPTIONS": {"pool_class": "workshop.cache_pool.SharedConnectionPool"}})


def test_caches_of_many_request_contexts_share_one_pool_and_connection(redis_url):
    def request(n: int) -> object:
        cache = _cache(redis_url)
        cache.set(f"k{n}", n)
        assert cache.get(f"k{n}") == n
        return cache._cache._get_connection_pool(write=True)

    pools = [contextvars.copy_context().run(request, n) for n in range(20)]

    assert len({id(pool) for pool in pools}) == 1
    assert isinstance(pools[0], SharedConnectionPool)
    # One after another, the requests reused one connection.
    assert len(pools[0]._available_connections) + len(pools[0]._in_use_connections) == 1


def test_other_addresses_or_options_get_pools_of_their_own(redis_url):
    same = SharedConnectionPool.from_url(redis_url, socket_timeout=1)
    assert SharedConnectionPool.from_url(redis_url, socket_timeout=1) is same
    assert SharedConnectionPool.from_url(redis_url, socket_timeout=2) is not same
    other_db = redis_url.replace("/0", "/1")
    assert SharedConnectionPool.from_url(other_db, socket_timeout=1) is not same


def test_threads_asking_at_once_get_the_same_pool(redis_url):
    async def many():
        return await asyncio.gather(
            *(asyncio.to_thread(SharedConnectionPool.from_url, redis_url, db=3) for _ in range(8))
        )

    assert len({id(pool) for pool in asyncio.run(many())}) == 1

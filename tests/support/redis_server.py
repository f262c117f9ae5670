"""A throw-away redis-server for the tests of what production keeps in Redis (the page cache,
the job queue): the starter `make stack` uses too (stack/redis.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from stack.ports import free_port
from stack.redis import RedisServer, RedisUnavailable, find_redis_server
from tests.support.requirements import missing

__all__ = ["free_port", "redis_server"]


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """Start redis-server in `folder` (no persistence); yields its URL."""
    if find_redis_server() is None:
        missing("redis-server", "apt-get install redis-server")
    try:
        server = RedisServer.start(folder)
    except RedisUnavailable as error:
        pytest.fail(str(error))
    try:
        yield server.url
    finally:
        server.stop()

"""The production-like stack (`make stack`, stack/runner.py) started once for this folder's
tests, which speak to it through nginx only."""

from __future__ import annotations

import pytest

from stack.nginx import find_nginx
from stack.postgres import find_postgres_bin
from stack.processes import StackError
from stack.redis import find_redis_server
from stack.runner import Stack
from tests.support.requirements import missing

#: Label runs of this many labels or more are drawn by the job worker: the tests print three,
#: so that the worker process draws them and keeps the PDF in the bucket.
LABEL_RUN_BACKGROUND_FROM = 3


def require_stack_programs() -> None:
    """Skip (or fail, in CI) with a clear reason when a program the stack runs is missing."""
    if find_nginx() is None:
        missing("nginx", "apt-get install nginx libnginx-mod-http-brotli-filter")
    if find_postgres_bin() is None:
        missing("PostgreSQL", "apt-get install postgresql")
    if find_redis_server() is None:
        missing("redis-server", "apt-get install redis-server")
    pytest.importorskip("moto.server", reason="moto[server] (the test extras) is not installed")


@pytest.fixture(scope="module")
def stack():
    require_stack_programs()
    running = Stack(env={"LABEL_RUN_BACKGROUND_FROM": str(LABEL_RUN_BACKGROUND_FROM)})
    try:
        running.start()
    except StackError as error:
        pytest.fail(f"the stack did not start: {error}", pytrace=False)
    yield running

    assert running.stop() == []

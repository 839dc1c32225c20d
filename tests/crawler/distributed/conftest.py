import sys
from pathlib import Path

import pytest

from redis_server import RedisServer


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server):
    client = redis_server.client()
    client.flushdb()
    yield client
    client.close()


# The crawler tests' helpers (the conditional county site of test_recrawl) are used here too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

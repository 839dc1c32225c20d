"""Fixtures for the delivery tests: the fake platforms of platforms.py, a clock, a store."""
from __future__ import annotations

import pytest

from platforms import (DINGTALK_SECRET, DINGTALK_TOKEN, ONEBOT_TOKEN, SMTP_PASSWORD, WECOM_KEY, FakeClock,
                       FakeDingTalk, FakeOneBot, FakeSMTP, FakeWecom)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """A proxy from the environment must not see loopback test traffic."""
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wecom(clock):
    fake = FakeWecom(clock)
    yield fake
    fake.close()


@pytest.fixture
def onebot(clock):
    fake = FakeOneBot(clock)
    yield fake
    fake.close()


@pytest.fixture
def dingtalk(clock):
    fake = FakeDingTalk(clock)
    yield fake
    fake.close()


@pytest.fixture
def smtp():
    fake = FakeSMTP()
    yield fake
    fake.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connections are refused at once."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def secrets() -> list[str]:
    """Every secret the fakes know; none may show up anywhere a person can read."""
    return [WECOM_KEY, ONEBOT_TOKEN, DINGTALK_TOKEN, DINGTALK_SECRET, SMTP_PASSWORD]

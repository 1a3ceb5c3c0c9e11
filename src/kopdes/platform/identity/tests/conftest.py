"""A steady clock for TOTP tests: codes depend on the 30-second step, and a test that
crosses a step boundary half way would pass or fail by chance."""

from __future__ import annotations

import time
import types

import pytest


class Clock:
    def __init__(self) -> None:
        # The middle of a 30-second step, so small offsets never cross a boundary.
        self.now = (int(time.time()) // 30) * 30 + 15.0

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def totp_clock(monkeypatch):
    """Pin the clock django-otp and the identity services read; returns the clock."""
    clock = Clock()
    fake = types.SimpleNamespace(time=clock.time)
    monkeypatch.setattr("django_otp.plugins.otp_totp.models.time", fake)
    monkeypatch.setattr("kopdes.platform.identity.services.time", fake)
    return clock

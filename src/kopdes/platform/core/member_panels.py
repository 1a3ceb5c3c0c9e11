"""What other apps hold about a member, for the members app's pages (the officer's member
page, the member's portal).

savings and loans import members (an account belongs to a member), so members must not
import them back. Each registers a provider here from its ``AppConfig.ready()``, like
``core.exits``; members asks ``member_panels.provider("savings")`` and leaves the panel out when the
answer is None (the app is not installed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol


class SavingsData(Protocol):
    """What the savings app tells about a member."""

    def accounts(self, member: Any) -> list[Any]:
        """Her savings accounts, with their product."""

    def statement(self, member: Any, date_from: dt.date, date_to: dt.date) -> Any:
        """Her statement between two dates (rows with date, account, kind, memo, amount)."""

    def movements(self, member: Any) -> Any:
        """Every movement of her accounts, newest first (a lazy query, for a paginator)."""

    def kind_labels(self) -> dict[str, str]:
        """The movement kinds as people read them."""

    def exit_preview(self, member: Any, *, date: dt.date) -> dict[str, Any]:
        """What an exit on ``date`` would pay out and offset."""


class LoansData(Protocol):
    """What the loans app tells about a member."""

    def loans(self, member: Any) -> list[Any]:
        """Her loans, newest first."""


PROVIDERS: dict[str, Any] = {}


def register(name: str, provider: Any) -> Any:
    """Register ``provider`` under ``name`` ("savings", "loans"); again: replaced."""
    PROVIDERS[name] = provider
    return provider


def provider(name: str) -> Any | None:
    """The provider registered under ``name``, or None (its app is not installed)."""
    return PROVIDERS.get(name)


__all__ = ["PROVIDERS", "LoansData", "SavingsData", "provider", "register"]

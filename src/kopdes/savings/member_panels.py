"""The savings panels of a member's pages, offered to members (``core.member_panels``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kopdes.savings import selectors
from kopdes.savings.choices import TxnKind


class SavingsData:
    def accounts(self, member: Any) -> list[Any]:
        return selectors.list_member_accounts(member)

    def statement(self, member: Any, date_from: dt.date, date_to: dt.date) -> Any:
        return selectors.member_statement(member, date_from, date_to)

    def movements(self, member: Any) -> Any:
        return selectors.member_movements(member)

    def kind_labels(self) -> dict[str, str]:
        return {value: str(label) for value, label in TxnKind.choices}

    def exit_preview(self, member: Any, *, date: dt.date) -> dict[str, Any]:
        return selectors.exit_preview(member, date=date)

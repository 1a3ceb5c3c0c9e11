"""The loans panel of a member's page, offered to members (``core.member_panels``)."""

from __future__ import annotations

from typing import Any

from kopdes.loans import selectors


class LoansData:
    def loans(self, member: Any) -> list[Any]:
        return list(selectors.list_member_loans(member).order_by("-number"))

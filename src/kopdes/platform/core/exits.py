"""Who settles a member's exit, registered by the app that does it.

On an approved exit the member's pokok and wajib are returned less what they owe
(DOMAIN.md). The members app approves the exit but must not import the savings app that
posts the settlement (savings already uses members: a direct import would tie the two in
a cycle). So savings registers its settlement here from its ``AppConfig.ready()``; members
asks for it. Without one (savings not installed) an exit is approved without settlement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# settle(member, *, actor, date) -> a summary of what was paid out (JSON-ready)
Settlement = Callable[..., dict[str, Any]]
SETTLEMENTS: list[Settlement] = []


def register_exit_settlement(func: Settlement) -> Settlement:
    """Register ``func(member, *, actor, date: dt.date) -> summary`` as the exit
    settlement (once; registering the same function again changes nothing). There is one
    settlement: a second, different one is a programming error."""
    if func in SETTLEMENTS:
        return func
    if SETTLEMENTS:
        raise RuntimeError(f"an exit settlement is already registered: {SETTLEMENTS[0]!r}")
    SETTLEMENTS.append(func)
    return func


def exit_settlement() -> Settlement | None:
    """The registered exit settlement, or None when no app registered one."""
    return SETTLEMENTS[0] if SETTLEMENTS else None


__all__ = ["SETTLEMENTS", "Settlement", "exit_settlement", "register_exit_settlement"]

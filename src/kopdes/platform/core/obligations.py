"""What a member still owes the koperasi, asked for by the exit settlement.

"Exit: pokok and wajib returned less what the member owes" (DOMAIN.md). The savings app
settles an exit but must not import the apps that know what is owed (loans already use
savings: a direct import would tie the two in a cycle). So each such app registers a
provider here from its ``AppConfig.ready()``; the exit settlement asks them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Obligation:
    """One debt of a member on a date. ``settle(actor=, idempotency_key=)`` pays exactly
    ``amount`` sen of it in cash, through its own app's service (a loan's schedule is
    updated), on ``date``; it raises a ``DomainError`` if it cannot."""

    kind: str  # "loan"
    ref: str  # what the officer recognises: the loan number
    amount: int  # sen, > 0
    date: dt.date
    settle: Callable[..., Any]


Provider = Callable[[Any, dt.date], list[Obligation]]
PROVIDERS: list[Provider] = []


def obligations_provider(func: Provider) -> Provider:
    """Register ``func(member, as_of) -> [Obligation]`` (once; used as a decorator)."""
    if func not in PROVIDERS:
        PROVIDERS.append(func)
    return func


def member_obligations(member: Any, as_of: dt.date) -> list[Obligation]:
    """Everything ``member`` owes on ``as_of``, from every registered provider."""
    return [o for provider in PROVIDERS for o in provider(member, as_of) if o.amount > 0]

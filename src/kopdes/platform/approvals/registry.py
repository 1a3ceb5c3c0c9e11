"""What waits for a second officer, across modules: the approvals inbox's registry.

Four-eyes approval lives in each module (its proposal model, its ``approve_*`` and
``reject_*`` services with their checks). This registry only lets the inbox list and
decide them in one place without importing the modules (platform never imports apps):
each app registers an ``ApprovalKind`` from its ``AppConfig.ready()``, like
``core.obligations``. The inbox then calls the module's own services, so every check
(permission, maker != checker, relatives, AD/ART limits, already decided) is the module's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404

from kopdes.platform.identity.permissions import has_perm


@dataclass(frozen=True)
class ApprovalRow:
    """One pending item as the inbox shows it, whatever its module."""

    kind: ApprovalKind
    id: Any  # the item's primary key (the inbox's decide URLs take it)
    subject: str  # what it is, as the officer recognises it: "0012 Siti · SS-0012"
    maker: Any  # the officer who made it (a user)
    amount: int | None  # sen; None when no money is involved (a month close)
    rule: str  # the rule that requires a second officer: "Penarikan di atas Rp5.000.000 (AD/ART)"
    created_at: dt.datetime
    url: str  # the item's own page in its module

    @property
    def label(self) -> str:
        return str(self.kind.label)


@dataclass(frozen=True)
class ApprovalKind:
    """One kind of decision. ``name`` is URL-safe and unique ("savings-withdrawal").

    - ``pending(koperasi, user, roles)``: a queryset of the kind's items waiting in
      ``koperasi`` that ``user`` may decide by the module's own rules beyond the
      permission (a loan above the AD/ART limit only for the ketua, not the borrower's
      relative, ...); the registry leaves out what she made herself (``maker_field``).
    - ``row(obj)``: the ``ApprovalRow`` of one item (use ``select_related`` in ``pending``).
    - ``approve(obj, *, actor, source_address)`` and
      ``reject(obj, *, actor, reason, source_address)``: call the module's services.
    - ``scope``: the filter that tells this kind's rows from other kinds sharing its model
      (``{"kind": "deposit"}``), so a decide URL never reaches another kind's item.
    """

    name: str
    label: Any  # a lazy translated string
    permission: str
    model: type[Model]
    maker_field: str
    pending: Callable[[Any, Any, frozenset], QuerySet]
    row: Callable[[Any], ApprovalRow]
    approve: Callable[..., Any]
    reject: Callable[..., Any]
    scope: dict[str, Any] = field(default_factory=dict)


KINDS: dict[str, ApprovalKind] = {}


def register(kind: ApprovalKind) -> ApprovalKind:
    """Register ``kind`` (again with the same name: replaced, so a reload is harmless)."""
    KINDS[kind.name] = kind
    return kind


def kinds_for(roles: Iterable) -> list[ApprovalKind]:
    """The kinds ``roles`` may decide, by the one permission matrix."""
    roles = frozenset(roles)
    return [k for k in KINDS.values() if has_perm(roles, k.permission)]


def _waiting(kind: ApprovalKind, koperasi, user, roles) -> QuerySet:
    return kind.pending(koperasi, user, roles).exclude(**{f"{kind.maker_field}_id": user.pk})


def inbox(koperasi, user, roles) -> list[ApprovalRow]:
    """Everything waiting in ``koperasi`` for ``user``'s decision, oldest first: the kinds
    her roles may decide, without what she made herself."""
    rows = [
        kind.row(obj) for kind in kinds_for(roles) for obj in _waiting(kind, koperasi, user, roles)
    ]
    return sorted(rows, key=lambda r: r.created_at)


def count(koperasi, user, roles) -> int:
    """How many items ``inbox`` lists, in one query (the navigation shows it on every page)."""
    kinds = kinds_for(roles)
    if not kinds or user is None or not user.is_authenticated:
        return 0
    ids = [_waiting(k, koperasi, user, roles).order_by().values_list("pk") for k in kinds]
    return ids[0].union(*ids[1:], all=True).count() if len(ids) > 1 else ids[0].count()


def get_kind(name: str) -> ApprovalKind:
    kind = KINDS.get(name)
    if kind is None:
        raise Http404
    return kind


def get_item(kind: ApprovalKind, koperasi, pk) -> Any:
    """The kind's item ``pk`` in ``koperasi`` whatever its state (the module's service says
    "already decided"); 404 for another koperasi's, the same as for none."""
    obj = kind.model._default_manager.filter(koperasi=koperasi, pk=pk, **kind.scope).first()
    if obj is None:
        raise Http404
    return obj


def created_from_id(pk) -> dt.datetime:
    """When a row was made, read from its UUIDv7 key (the first 48 bits: Unix milliseconds),
    for the tables that keep only a date (a loan application)."""
    return dt.datetime.fromtimestamp((pk.int >> 80) / 1000, tz=dt.UTC)


def age(created_at: dt.datetime, now: dt.datetime) -> tuple[str, int]:
    """``("days"|"hours"|"now", n)``: how long an item has waited, for "2 hari"."""
    seconds = max(0, int((now - created_at).total_seconds()))
    if seconds >= 86400:
        return "days", seconds // 86400
    if seconds >= 3600:
        return "hours", seconds // 3600
    return "now", 0

"""Reads of the members app. Tenant-scoped; "missing" and "another koperasi's" look alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kopdes.domain.money import format_rupiah
from kopdes.domain.nik import NikError, parse_nik
from kopdes.domain.phone import PhoneError, normalize_phone
from kopdes.members.choices import EXIT_STATUSES
from kopdes.members.models import ExitProposal, Member
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core import member_panels
from kopdes.platform.privacy import crypto
from kopdes.platform.privacy import selectors as privacy_selectors
from kopdes.platform.privacy.models import DataRequest
from kopdes.platform.privacy.services import masked


def get_member(koperasi, member_id: Any) -> Member:
    """The member ``member_id`` of ``koperasi``, or ``Http404`` (also for a malformed id)."""
    try:
        member = Member.objects.filter(koperasi=koperasi, pk=member_id).first()
    except (ValidationError, ValueError, TypeError):  # a malformed id is just "not found"
        member = None
    if member is None:
        raise Http404
    return member


def get_member_by_number(koperasi, number: str) -> Member | None:
    return Member.objects.filter(koperasi=koperasi, number=str(number).strip()).first()


def list_members(koperasi, *, query: str = "", status: str = "") -> QuerySet[Member]:
    """Members of ``koperasi``, searched by exact NIK or phone (blind index), by member
    number or by part of the name."""
    qs = Member.objects.filter(koperasi=koperasi)
    if status:
        qs = qs.filter(status=status)
    query = (query or "").strip()
    if query:
        found = Q(full_name__icontains=query) | Q(number=query)
        try:
            nik = parse_nik(query).nik
            found |= Q(
                nik_index__in=crypto.blind_index_candidates("nik", nik, koperasi_id=koperasi.pk)
            )
        except NikError:
            pass
        try:
            phone = normalize_phone(query)
            found |= Q(
                phone_index__in=crypto.blind_index_candidates(
                    "phone", phone, koperasi_id=koperasi.pk
                )
            )
        except PhoneError:
            pass
        qs = qs.filter(found)
    return qs.order_by("number")


def list_retention_due(koperasi, *, today: dt.date) -> QuerySet[Member]:
    """Former members whose 10-year retention has passed and whose data is still held:
    their personal data should now be anonymised (the books keep the row)."""
    from kopdes.members.services import RETENTION_YEARS

    try:
        limit = today.replace(year=today.year - RETENTION_YEARS)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - RETENTION_YEARS, day=28)
    return Member.objects.filter(
        koperasi=koperasi,
        status__in=[s.value for s in EXIT_STATUSES],
        left_on__lte=limit,
        anonymised_at__isnull=True,
    ).order_by("left_on", "number")


def list_open_exits(koperasi) -> QuerySet[ExitProposal]:
    return (
        ExitProposal.objects.filter(koperasi=koperasi, state=ProposalState.PENDING)
        .select_related("member", "proposed_by")
        .order_by("proposed_at")
    )


def list_member_requests(member: Member) -> QuerySet[DataRequest]:
    return DataRequest.objects.filter(
        koperasi_id=member.koperasi_id, subject_type="members.member", subject_id=str(member.pk)
    ).order_by("-received_at")


def get_member_request(member: Member, request_id: Any) -> DataRequest:
    try:
        req = list_member_requests(member).filter(pk=request_id).first()
    except (ValidationError, ValueError, TypeError):
        req = None
    if req is None:
        raise Http404
    return req


def masked_view(member: Member) -> dict[str, str]:
    """The member's personal fields as shown to anyone without ``privacy.reveal``."""
    return {
        "nik": masked("nik", member.nik),
        "kk_number": masked("kk", member.kk_number),
        "phone": masked("phone", member.phone),
        "address": masked("address", member.address),
        "birth_date": masked("birth_date", member.birth_date),
    }


def savings_and_loans(member: Member, *, savings: bool, loans: bool) -> dict[str, list]:
    """The member's savings accounts and loans for her page, from each app's own
    selectors (an app not installed, or not asked for, gives an empty list): the officer
    goes from the register to her savings and loans in one click."""
    out: dict[str, list] = {"savings": [], "loans": []}
    if savings and (provider := member_panels.provider("savings")) is not None:
        out["savings"] = provider.accounts(member)
    if loans and (loans_data := member_panels.provider("loans")) is not None:
        out["loans"] = loans_data.loans(member)
    return out


def savings_summary(
    member: Member, *, today: dt.date | None = None, latest: int = 20
) -> dict[str, Any] | None:
    """The member's savings accounts with balances, their total and the ``latest``
    transactions (from the savings app's selectors), or None while that app is not
    installed. The whole history is ``savings_passbook``."""
    savings = member_panels.provider("savings")
    if savings is None:
        return None
    today = today or timezone.localdate()
    accounts = [
        {
            "number": a.number,
            "kind": a.kind,
            "name": a.product.name if a.product_id else a.get_kind_display(),
            "status": a.status,
            "balance": a.balance,
            "balance_rupiah": format_rupiah(a.balance),
        }
        for a in savings.accounts(member)
    ]
    statement = savings.statement(member, today - dt.timedelta(days=366), today)
    transactions = [
        {
            "date": row.date,
            "account": row.account,
            "kind": row.kind,
            "description": row.memo,
            "amount": row.amount,
            "amount_rupiah": format_rupiah(row.amount),
        }
        for row in list(statement.rows)[-latest:][::-1]
    ]
    total = sum(a["balance"] for a in accounts)
    return {
        "accounts": accounts,
        "transactions": transactions,
        "total": total,
        "total_rupiah": format_rupiah(total),
    }


def savings_passbook(member: Member) -> dict[str, Any] | None:
    """The member's passbook for the portal: her accounts, their total, and every movement
    newest first (a lazy query, for a paginator); None while savings is not installed."""
    savings = member_panels.provider("savings")
    if savings is None:
        return None
    accounts = savings.accounts(member)
    return {
        "accounts": accounts,
        "total": sum(a.balance for a in accounts),
        "movements": savings.movements(member),
    }


def passbook_rows(movements) -> list[dict[str, Any]]:
    """One passbook line per movement: date, account, what happened, in, out, balance."""
    savings = member_panels.provider("savings")
    kinds = savings.kind_labels() if savings is not None else {}
    return [
        {
            "date": t.date,
            "account": t.account.number,
            "kind": kinds.get(t.kind, t.kind),
            "memo": t.memo,
            "amount_in": t.amount if t.amount > 0 else None,
            "amount_out": -t.amount if t.amount < 0 else None,
            "balance_after": t.balance_after,
        }
        for t in movements
    ]


def exit_settlement_preview(member: Member, *, date: dt.date) -> dict[str, Any] | None:
    """On an exit's date: the member's savings, what they owe (loans), the cash to hand
    over and any shortfall (which makes the approval refused), or None without savings."""
    savings = member_panels.provider("savings")
    return savings.exit_preview(member, date=date) if savings is not None else None


def exit_settlement_made(member: Member) -> dict[str, Any] | None:
    """What the settlement of ``member``'s approved exit paid: ``total`` savings, ``offset``
    (paid off the loans) and ``paid`` (cash), from its audit event (``savings.exit.settled``);
    None when none was made (no savings app, or the member has not left)."""
    event = (
        AuditEvent.objects.filter(
            koperasi=member.koperasi_id,
            action="savings.exit.settled",
            object_type=Member._meta.label_lower,
            object_id=str(member.pk),
        )
        .order_by("-seq")
        .first()
    )
    return event.summary if event is not None else None


def member_data(member: Member) -> dict[str, Any]:
    """Everything held about ``member`` in clear text (for the access export)."""
    consents = privacy_selectors.list_active_consents(
        member.koperasi, "members.member", str(member.pk)
    )
    data: dict[str, Any] = {
        "koperasi": {"name": member.koperasi.name, "slug": member.koperasi.slug},
        "member": {
            "number": member.number,
            "full_name": member.full_name,
            "nik": member.nik,
            "kk_number": member.kk_number,
            "birth_place": member.birth_place,
            "birth_date": member.birth_date.isoformat() if member.birth_date else "",
            "sex": member.sex,
            "address": member.address,
            "region_code": member.region_code,
            "phone": member.phone,
            "occupation": member.occupation,
            "status": member.status,
            "registered_on": member.registered_on.isoformat(),
            "joined_on": member.joined_on.isoformat() if member.joined_on else "",
            "left_on": member.left_on.isoformat() if member.left_on else "",
            "exit_reason": member.exit_reason,
            "ktp_photo_held": bool(member.ktp_photo),
            "portal_username": member.user.username if member.user_id else "",
        },
        "heirs": [
            {"name": h.name, "relation": h.relation, "share_percent": h.share_percent}
            for h in member.heirs.all()
        ],
        "consents": [
            {
                "notice_version": c.notice.version,
                "purpose": c.notice.purpose,
                "method": c.method,
                "given_at": c.given_at.isoformat(),
            }
            for c in consents.select_related("notice")
        ],
        "data_requests": [
            {"kind": r.kind, "status": r.status, "received_at": r.received_at.isoformat()}
            for r in list_member_requests(member)
        ],
        "savings": savings_summary(member),
    }
    return data

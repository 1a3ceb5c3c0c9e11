"""Audit events in plain words: what happened, to what, for how much.

The one mapping of event code -> name (``ACTION_LABELS``), and the one way an event is
shown (``describe_events``), used by the audit log pages and the dashboard's "recent
activity" alike:

- the action by its Indonesian name ("Jurnal dicatat"), never "ledger.entry.posted";
- the object by its own name and number ("Jurnal #42", "Anggota 0012 Siti Aminah",
  "Rekening simpanan 0001-S"), read in one query per kind of object, never a UUID;
- the details of the summary with Indonesian names, amounts in rupiah (the summary keeps
  sen), dates as dd-mm-yyyy, journal numbers as "Jurnal #42"; internal ids are left out
  (the detail page still shows the stored summary in full, for an auditor).

An app that records a new action adds its name here; ``tests/test_activity_labels``
fails for a recorded action without one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain.money import format_rupiah
from kopdes.domain.rates import format_percent

L = gettext_lazy

ACTION_LABELS: dict[str, Any] = {
    # platform
    "tenancy.koperasi.created": L("Koperasi registered"),
    "tenancy.koperasi.profile_updated": L("Koperasi profile changed"),
    "tenancy.koperasi.adart_updated": L("AD/ART settings changed"),
    "identity.role.granted": L("Role granted"),
    "identity.role.revoked": L("Role revoked"),
    "identity.invitation.created": L("Officer invited"),
    "identity.invitation.accepted": L("Invitation accepted"),
    "identity.api_token.created": L("API token created"),
    "identity.totp.setup_started": L("Two-step login set-up started"),
    "identity.totp.confirmed": L("Two-step login set up"),
    "identity.totp.reset": L("Two-step login reset"),
    "identity.totp.verified": L("Two-step login code accepted"),
    "identity.totp.failed": L("Wrong two-step login code"),
    "identity.recovery_code.used": L("Recovery code used"),
    "identity.user.logged_in": L("Logged in"),
    "identity.user.logged_out": L("Logged out"),
    "identity.login.failed": L("Failed login"),
    "privacy.breach_record.registered": L("Data breach recorded"),
    "privacy.breach_record.notice_drafted": L("Data breach notice drafted"),
    "privacy.consent.recorded": L("Consent recorded"),
    "privacy.consent.withdrawn": L("Consent withdrawn"),
    "privacy.consent_notice.published": L("Privacy notice published"),
    "privacy.data_request.received": L("Personal data request received"),
    "privacy.data_request.closed": L("Personal data request answered"),
    "privacy.field.revealed": L("Personal data shown in full"),
    # ledger
    "ledger.chart.installed": L("Chart of accounts installed"),
    "ledger.account.created": L("Account added"),
    "ledger.account.opened": L("Account opened for posting"),
    "ledger.account.closed": L("Account closed for posting"),
    "ledger.entry.posted": L("Journal entry recorded"),
    "ledger.entries.posted": L("Journal entries recorded"),
    "ledger.entry.proposed": L("Back-dated journal entry proposed"),
    "ledger.entry_proposal.approved": L("Back-dated journal entry approved"),
    "ledger.entry_proposal.rejected": L("Back-dated journal entry rejected"),
    "ledger.attachment.added": L("Receipt attached to a journal entry"),
    "ledger.books_start.moved": L("Start of the books moved"),
    "ledger.reversal.proposed": L("Correction of a journal entry proposed"),
    "ledger.reversal.approved": L("Correction of a journal entry approved"),
    "ledger.reversal.rejected": L("Correction of a journal entry rejected"),
    "ledger.period.close_proposed": L("Month close proposed"),
    "ledger.period.reopen_proposed": L("Month reopening proposed"),
    "ledger.period.closed": L("Month closed"),
    "ledger.period.reopened": L("Month reopened"),
    "ledger.period.change_rejected": L("Month close or reopening rejected"),
    # members
    "members.member.registered": L("Member registered"),
    "members.member.activated": L("Member became active"),
    "members.member.corrected": L("Member data corrected"),
    "members.member.exported": L("Member data exported"),
    "members.member.anonymised": L("Former member's data anonymised"),
    "members.member.returned_to_candidate": L("Member returned to candidate"),
    "members.ktp_photo.replaced": L("KTP photo replaced"),
    "members.ktp_photo.viewed": L("KTP photo viewed"),
    "members.exit.proposed": L("Member exit proposed"),
    "members.exit.approved": L("Member exit approved"),
    "members.exit.rejected": L("Member exit rejected"),
    "members.portal.activated": L("Member portal activated"),
    "members.portal.linked": L("Member portal linked"),
    "members.portal_code.issued": L("Member portal code issued"),
    # savings
    "savings.account.opened": L("Savings account opened"),
    "savings.deposit.posted": L("Deposit recorded"),
    "savings.withdrawal.posted": L("Withdrawal recorded"),
    "savings.transfer.posted": L("Savings transfer recorded"),
    "savings.batch.posted": L("Collection day recorded"),
    "savings.principal.paid": L("Simpanan pokok paid"),
    "savings.jasa.posted": L("Jasa on savings recorded"),
    "savings.term.placed": L("Term deposit placed"),
    "savings.term.matured": L("Term deposit settled at maturity"),
    "savings.term.broken": L("Term deposit broken early"),
    "savings.exit.settled": L("Savings settled on exit"),
    "savings.opening.imported": L("Opening savings balances imported"),
    "savings.passbook.printed": L("Passbook printed"),
    "savings.withdrawal.requested": L("Large withdrawal waiting for approval"),
    "savings.withdrawal.approved": L("Large withdrawal approved"),
    "savings.withdrawal.rejected": L("Large withdrawal rejected"),
    "savings.deposit.requested": L("Large deposit waiting for approval"),
    "savings.deposit.approved": L("Large deposit approved"),
    "savings.deposit.rejected": L("Large deposit rejected"),
    "savings.correction.requested": L("Savings correction requested"),
    "savings.correction.approved": L("Savings correction approved"),
    "savings.correction.rejected": L("Savings correction rejected"),
    # loans
    "loans.product.created": L("Loan product added"),
    "loans.loan.applied": L("Loan applied for"),
    "loans.loan.approved": L("Loan approved"),
    "loans.loan.rejected": L("Loan rejected"),
    "loans.loan.disbursed": L("Loan paid out"),
    "loans.loan.restructured": L("Loan restructured"),
    "loans.loan.written_off": L("Loan written off"),
    "loans.repayment.received": L("Loan installment received"),
    "loans.recovery.received": L("Recovery on a written-off loan received"),
    "loans.repayment_reversal.requested": L("Correction of a loan payment requested"),
    "loans.repayment_reversal.approved": L("Correction of a loan payment approved"),
    "loans.repayment_reversal.rejected": L("Correction of a loan payment rejected"),
    "loans.restructure.proposed": L("Loan restructuring proposed"),
    "loans.restructure.approved": L("Loan restructuring approved"),
    "loans.restructure.rejected": L("Loan restructuring rejected"),
    "loans.write_off.proposed": L("Loan write-off proposed"),
    "loans.write_off.first_approved": L("Loan write-off approved by the first officer"),
    "loans.write_off.approved": L("Loan write-off approved"),
    "loans.write_off.rejected": L("Loan write-off rejected"),
    "loans.relationship.recorded": L("Family tie between officer and member recorded"),
    "loans.daily.ran": L("Daily loan run (denda, kolektibilitas, PPAP)"),
    "loans.bank_loan.created": L("Bank loan of the koperasi recorded"),
    "loans.bank_loan.drawn": L("Bank loan drawn"),
    "loans.bank_loan.paid": L("Bank loan installment paid"),
    # store and subsidised channels
    "store.business_unit.enabled": L("Business unit switched on"),
    "store.business_unit.disabled": L("Business unit switched off"),
    "store.catalog.imported": L("Catalog imported from Excel"),
    "store.item.created": L("Item added to the catalog"),
    "store.item.updated": L("Catalog item changed"),
    "store.supplier.created": L("Supplier added"),
    "store.sale.completed": L("Store sale recorded"),
    "store.bon.repaid": L("Member paid off store credit (bon)"),
    "store.stock.received": L("Goods received into stock"),
    "store.shift.opened": L("Cash shift opened"),
    "store.shift.closed": L("Cash shift closed (cash counted)"),
    "store.sale_void.proposed": L("Void of a sale proposed"),
    "store.sale_void.approved": L("Void of a sale approved"),
    "store.sale_void.rejected": L("Void of a sale rejected"),
    "store.sale_return.proposed": L("Return of sold goods proposed"),
    "store.sale_return.approved": L("Return of sold goods approved"),
    "store.sale_return.rejected": L("Return of sold goods rejected"),
    "store.stock_count.started": L("Stock count started"),
    "store.stock_count.saved": L("Stock count progress saved"),
    "store.stock_count.submitted": L("Stock count submitted for approval"),
    "store.stock_count.approved": L("Stock count approved and differences posted"),
    "store.stock_count.rejected": L("Stock count rejected"),
    "store.stock_count.cancelled": L("Stock count cancelled before submission"),
    "store.stock.transferred": L("Stock transferred between units"),
    "purchasing.order.created": L("Purchase order drafted"),
    "purchasing.order.placed": L("Purchase order placed with the supplier"),
    "purchasing.order.cancelled": L("Purchase order cancelled"),
    "purchasing.goods.received": L("Goods received against a purchase order"),
    "purchasing.supplier.paid": L("Supplier paid"),
    "purchasing.harvest.bought": L("Member's harvest bought"),
    "purchasing.harvest_terms.set": L("Harvest buying terms set"),
    "pharmacy.pharmacist.appointed": L("Responsible pharmacist recorded"),
    "pharmacy.drug.updated": L("Drug information saved"),
    "pharmacy.batch.received": L("Drug batch received"),
    "pharmacy.sale.dispensed": L("Drugs dispensed from their batches"),
    "pharmacy.batch.moved": L("Drug batches moved with a return or stock count"),
    "pharmacy.sipnap.exported": L("SIPNAP report exported"),
    "consignment.terms.set": L("Consignment terms set"),
    "consignment.goods.received": L("Consigned goods received"),
    "consignment.goods.returned": L("Consigned goods returned to the consignor"),
    "consignment.payout.recorded": L("Consignor paid (titip jual)"),
    "subsidy.allocations.imported": L("RDKK allocations imported"),
    "subsidy.buyer.registered": L("Subsidised-goods buyer registered"),
    "subsidy.channel_rule.added": L("Subsidised channel rule added"),
    "subsidy.het_rate.added": L("HET price cap added"),
    "subsidy.lpg_register.exported": L("LPG 3 kg register exported"),
    "subsidy.pupuk_report.exported": L("Subsidised fertiliser report exported"),
    "subsidy.sale.recorded": L("Subsidised sale recorded"),
    "subsidy.season.added": L("Planting season added"),
    "subsidy.sphp_report.exported": L("SPHP rice report exported"),
}


def describe_action(code: str) -> str:
    """The Indonesian name of ``code``; an unnamed code reads as "Other activity (code)"
    rather than the bare code, so nothing is hidden and nothing looks like a bug."""
    label = ACTION_LABELS.get(code)
    if label is not None:
        return str(label)
    return _("Other activity (%(code)s)") % {"code": code}


# --- objects --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectKind:
    """How to name one kind of object: which fields to read and how to write them."""

    fields: tuple[str, ...]
    name: Callable[[Any], str]


def _journal(obj) -> str:
    return _("Journal #%(number)s") % {"number": obj.number}


OBJECT_KINDS: dict[str, ObjectKind] = {
    "ledger.journalentry": ObjectKind(("number",), _journal),
    "ledger.account": ObjectKind(
        ("code", "name"),
        lambda o: _("Account %(code)s %(name)s") % {"code": o.code, "name": o.name},
    ),
    "members.member": ObjectKind(
        ("number", "full_name"),
        lambda o: _("Member %(number)s %(name)s") % {"number": o.number, "name": o.full_name},
    ),
    "savings.savingsaccount": ObjectKind(
        ("number",), lambda o: _("Savings account %(number)s") % {"number": o.number}
    ),
    "savings.savingsproduct": ObjectKind(
        ("name",), lambda o: _("Savings product %(name)s") % {"name": o.name}
    ),
    "loans.loan": ObjectKind(("number",), lambda o: _("Loan %(number)s") % {"number": o.number}),
    "loans.loanproduct": ObjectKind(
        ("name",), lambda o: _("Loan product %(name)s") % {"name": o.name}
    ),
    "loans.bankloan": ObjectKind(
        ("lender", "reference"),
        lambda o: _("Bank loan %(name)s") % {"name": f"{o.lender} {o.reference}".strip()},
    ),
    "tenancy.koperasi": ObjectKind(("name",), lambda o: str(o.name)),
    "identity.user": ObjectKind(
        ("full_name", "username"),
        lambda o: _("User %(name)s") % {"name": o.full_name or o.username},
    ),
}

# Kinds named without reading them (no number of their own worth showing).
OBJECT_TYPE_LABELS: dict[str, Any] = {
    "ledger.period": L("Month of the books"),
    "ledger.periodproposal": L("Month close proposal"),
    "ledger.reversalproposal": L("Correction proposal"),
    "ledger.entryproposal": L("Back-dated entry proposal"),
    "ledger.entryattachment": L("Receipt"),
    "loans.repayment": L("Loan payment"),
    "loans.loanproposal": L("Loan proposal"),
    "loans.repaymentreversal": L("Correction of a loan payment"),
    "loans.relationship": L("Family tie"),
    "savings.savingstransaction": L("Savings transaction"),
    "savings.withdrawalrequest": L("Approval request"),
    "savings.correction": L("Savings correction"),
    "savings.jasaposting": L("Jasa on savings"),
    "savings.openingimport": L("Opening balances import"),
    "members.exitproposal": L("Exit request"),
    "members.portalactivation": L("Member portal code"),
    "loans.bankloanmovement": L("Bank loan movement"),
    "loans.ppaprun": L("PPAP run"),
    "privacy.consentnotice": L("Privacy notice"),
    "identity.roleassignment": L("Role"),
    "identity.invitation": L("Invitation"),
    "identity.apitoken": L("API token"),
    "privacy.consent": L("Consent"),
    "privacy.datarequest": L("Personal data request"),
    "privacy.breachrecord": L("Data breach record"),
    "consignment.consignmentterms": L("Consignment terms"),
    "consignment.consignmentmovement": L("Consigned goods movement"),
    "consignment.consignmentpayout": L("Consignor payout"),
}

UUID_RE = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_names(events: Iterable[Any]) -> dict[tuple[str, str], str]:
    """(object_type, object_id) -> the object's own name, one query per kind of object,
    scoped to each event's koperasi."""
    wanted: dict[str, set] = defaultdict(set)
    koperasi_of: dict[str, set] = defaultdict(set)
    for e in events:
        if e.object_type in OBJECT_KINDS and e.object_id and UUID_RE.match(e.object_id):
            wanted[e.object_type].add(e.object_id)
            koperasi_of[e.object_type].add(e.koperasi_id)
    out: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        model = _model(object_type)
        if model is None:
            continue
        kind = OBJECT_KINDS[object_type]
        qs = model._default_manager.filter(pk__in=ids)
        if any(f.name == "koperasi" for f in model._meta.fields):
            qs = qs.filter(koperasi_id__in=koperasi_of[object_type])
        for obj in qs.only("pk", *kind.fields):
            out[(object_type, str(obj.pk))] = kind.name(obj)
    return out


def object_text(event, names: dict[tuple[str, str], str]) -> str:
    """The object as people know it; never a bare UUID."""
    named = names.get((event.object_type, event.object_id))
    if named:
        return named
    label = OBJECT_TYPE_LABELS.get(event.object_type)
    if event.object_id and not UUID_RE.match(event.object_id):
        return f"{label} {event.object_id}" if label else event.object_id
    if label is not None:
        return str(label)
    return ""


# --- summary details ------------------------------------------------------------------------

MONEY_KEYS = frozenset(
    {
        "amount",
        "principal",
        "interest",
        "penalty",
        "fees",
        "tax",
        "jasa",
        "total",
        "total_amount",
        "net",
        "paid",
        "paid_out",
        "outstanding",
        "plafond",
        "ppap_required",
        "balance_after",
        "offset",
    }
)
JOURNAL_KEYS = frozenset(
    {"entry", "reverses", "reversal", "closing_entry", "ppap_entry", "first_number", "last_number"}
)
RATE_KEYS = frozenset({"rate", "rate_percent"})

# Shown, in this order, with these names; other keys stay on the detail page only.
DETAIL_LABELS: dict[str, Any] = {
    "amount": L("Amount"),
    "total_amount": L("Total"),
    "total": L("Total"),
    "principal": L("Principal"),
    "interest": L("Jasa"),
    "jasa": L("Jasa"),
    "penalty": L("Penalty (denda)"),
    "fees": L("Fees"),
    "tax": L("Tax"),
    "net": L("Net"),
    "paid": L("Paid"),
    "paid_out": L("Paid out"),
    "outstanding": L("Outstanding"),
    "plafond": L("Plafond"),
    "ppap_required": L("PPAP required"),
    "balance_after": L("Balance after"),
    "offset": L("Set off against debts"),
    "member": L("Member no."),
    "account": L("Account no."),
    "loan": L("Loan"),
    "from": L("From"),
    "to": L("To"),
    "entry": L("Journal"),
    "reverses": L("Corrects journal"),
    "reversal": L("Correcting journal"),
    "closing_entry": L("Closing journal"),
    "ppap_entry": L("PPAP journal"),
    "first_number": L("First journal"),
    "last_number": L("Last journal"),
    "count": L("Count"),
    "number": L("Number"),
    "code": L("Code"),
    "name": L("Name"),
    "date": L("Date"),
    "period": L("Month"),
    "term": L("Term (months)"),
    "term_months": L("Term (months)"),
    "rate": L("Rate"),
    "rate_percent": L("Rate"),
    "username": L("User name"),
    "role": L("Role"),
    "reason": L("Reason"),
    "note": L("Checker's note"),
    "memo": L("Description"),
    "accounts_created": L("Accounts added"),
    "rows": L("Rows"),
    "moves": L("Movements"),
}
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
PERIOD_RE = re.compile(r"^(\d{4})(\d{2})$")


def _value_text(key: str, value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in MONEY_KEYS and isinstance(value, int):
        return format_rupiah(value)
    if key in JOURNAL_KEYS and isinstance(value, int):
        return _("Journal #%(number)s") % {"number": value}
    if key in RATE_KEYS:
        try:
            return format_percent(str(value))
        except (TypeError, ValueError):
            return str(value)
    text = str(value)
    if UUID_RE.match(text):
        return None  # an internal id: nobody reads it
    if key == "period" and PERIOD_RE.match(text):
        year, month = PERIOD_RE.match(text).groups()  # type: ignore[union-attr]
        return f"{month}/{year}"
    date = DATE_RE.match(text)
    if date and key in ("date", "effective_on", "joined_on", "maturity", "as_of"):
        return f"{date.group(3)}-{date.group(2)}-{date.group(1)}"
    return text if len(text) <= 120 else text[:117] + "…"


def summary_details(summary: Any, limit: int | None = None) -> list[tuple[str, str]]:
    """(name, value) pairs of the summary that people read, amounts in rupiah."""
    if not isinstance(summary, dict):
        return []
    out = []
    for key, label in DETAIL_LABELS.items():
        if key not in summary:
            continue
        text = _value_text(key, summary[key])
        if text is not None:
            out.append((str(label), text))
        if limit is not None and len(out) >= limit:
            break
    return out


@dataclass
class EventView:
    """One event as a page shows it."""

    event: Any
    label: str
    object: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)


def describe_events(events: Sequence[Any], *, details: int | None = 4) -> list[EventView]:
    """The events with their names, objects and details (one query per kind of object)."""
    events = list(events)
    names = object_names(events)
    return [
        EventView(
            event=e,
            label=describe_action(e.action),
            object=object_text(e, names),
            details=summary_details(e.summary, details),
        )
        for e in events
    ]

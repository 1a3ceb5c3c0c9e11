"""The approvals inbox (``/k/<slug>/persetujuan/``, ``platform.approvals``) across modules.

Each registered kind is built through its module's services: the officer who may decide
it sees it with the maker, the amount in rupiah and the rule; the maker never does. Deciding
from the inbox calls the module's own services, so it has their effects and refusals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kopdes.domain.ledger import LineDraft
from kopdes.ledger import services as ledger_services
from kopdes.ledger.models import EntryProposal, JournalEntry, PeriodProposal, ReversalProposal
from kopdes.ledger.testing import post_simple, with_books
from kopdes.loans import services as loan_services
from kopdes.loans import testing as loan_testing
from kopdes.loans.models import Loan, LoanProposal, RepaymentReversal
from kopdes.members import services as member_services
from kopdes.members.models import ExitProposal
from kopdes.members.testing import make_member
from kopdes.platform.approvals import registry
from kopdes.platform.approvals.views import age_text
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core import testing
from kopdes.platform.core.testing import make_user
from kopdes.platform.identity.permissions import MATRIX
from kopdes.savings import services as savings_services
from kopdes.savings import testing as savings_testing
from kopdes.savings.models import Correction, SavingsTransaction, WithdrawalRequest

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    kind: str
    item: Any
    maker: Any
    checker: Any
    amount: str  # as the inbox shows it ("" when no money is involved)
    rule: str  # the rule text, in Bahasa Indonesia


def _today() -> dt.date:
    return timezone.localdate()


def _withdrawal(k) -> Case:
    maker = make_user("manajer", k)  # may approve withdrawals too: never her own
    account = savings_testing.voluntary_account(k, balance=9_000_000_00, actor=maker)
    req = savings_services.withdraw(
        account,
        actor=maker,
        amount=6_000_000_00,
        date=_today(),
        idempotency_key=savings_testing.key(),
    )
    assert isinstance(req, WithdrawalRequest)
    return Case(
        "savings-withdrawal", req, maker, make_user("ketua", k), "Rp 6.000.000",
        "Penarikan di atas Rp 5.000.000 (AD/ART)",
    )  # fmt: skip


def _deposit(k) -> Case:
    maker = make_user("bendahara", k)
    account = savings_testing.voluntary_account(k, actor=maker)
    req = savings_services.deposit(
        account,
        actor=maker,
        amount=12_000_000_00,
        date=_today(),
        idempotency_key=savings_testing.key(),
    )
    assert isinstance(req, WithdrawalRequest)
    return Case(
        "savings-deposit", req, maker, make_user("manajer", k), "Rp 12.000.000",
        "Setoran di atas Rp 10.000.000 (AD/ART)",
    )  # fmt: skip


def _correction(k) -> Case:
    maker = make_user("manajer", k)
    account = savings_testing.voluntary_account(k, balance=250_000_00, actor=maker)
    txn = SavingsTransaction.objects.filter(account=account).latest("seq")
    correction = savings_services.request_correction(
        txn, actor=maker, reason="Salah ketik", idempotency_key=savings_testing.key()
    )
    return Case(
        "savings-correction", correction, maker, make_user("bendahara", k), "Rp 250.000",
        "empat mata",
    )  # fmt: skip


def _application(k) -> Case:
    maker = make_user("manajer", k)  # may approve loans too: never her own
    checker = make_user("ketua", k)
    loan = loan_services.apply_for_loan(
        savings_testing.active_member(k),
        actor=maker,
        product=loan_testing.product(k, actor=checker),
        principal=3_000_000_00,
        term=12,
        applied_on=_today(),
    )
    return Case(
        "loans-application", loan, maker, checker, "Rp 3.000.000",
        "Diputuskan petugas selain yang memasukkan pengajuan",
    )  # fmt: skip


def _restructure(k) -> Case:
    maker = make_user("manajer", k)
    loan = loan_testing.active_loan(k)
    proposal = loan_services.propose_restructure(
        loan, actor=maker, reason="Gagal panen", term=18, rate_percent="1",
        start_date=_today().replace(day=1),
    )  # fmt: skip
    return Case(
        "loans-restructure", proposal, maker, make_user("ketua", k), "Rp 1.200.000",
        "Restrukturisasi disetujui ketua",
    )  # fmt: skip


def _write_off(k) -> Case:
    maker = make_user("petugas_pinjaman", k)
    loan = loan_testing.active_loan(k)
    proposal = loan_services.propose_write_off(loan, actor=maker, reason="Macet")
    return Case(
        "loans-write-off", proposal, maker, make_user("ketua", k), "Rp 1.200.000",
        "Hapus buku perlu ketua dan pengawas",
    )  # fmt: skip


def _repayment_reversal(k) -> Case:
    maker = make_user("bendahara", k)  # may approve corrections too: never her own
    loan = loan_testing.active_loan(k)
    rep = loan_services.repay_loan(
        loan, actor=maker, amount=50_000_00, date=dt.date(2026, 4, 2),
        idempotency_key=loan_testing.key(),
    )  # fmt: skip
    rv = loan_services.request_repayment_reversal(
        rep, actor=maker, reason="Salah anggota", idempotency_key=loan_testing.key()
    )
    return Case(
        "loans-repayment-reversal", rv, maker, make_user("ketua", k), "Rp 50.000",
        "empat mata",
    )  # fmt: skip


def _ledger_reversal(k) -> Case:
    with_books(k)
    maker = make_user("bendahara", k)
    entry = post_simple(k, 75_000_00, actor=maker)
    proposal = ledger_services.propose_reversal(entry, actor=maker, reason="Salah akun")
    return Case(
        "ledger-reversal", proposal, maker, make_user("manajer", k), "Rp 75.000",
        "Jurnal yang sudah dibukukan dibatalkan hanya dengan petugas kedua",
    )  # fmt: skip


def _backdated_entry(k) -> Case:
    """(Last when building several in one koperasi: the AD/ART back-dating allowance goes
    back to its default of 7 days, which the test koperasi otherwise widens.)"""
    k.adart_settings = {**k.adart_settings, "backdate_approval_days": 7}
    k.save(update_fields=["adart_settings"])
    with_books(k)
    maker = make_user("bendahara", k)
    proposal = ledger_services.post_manual(
        k,
        actor=maker,
        date=_today() - dt.timedelta(days=20),
        memo="Biaya listrik terlambat dicatat",
        lines=[LineDraft.debit("5-2100", 40_000_00), LineDraft.credit("1-1100", 40_000_00)],
        idempotency_key=f"inbox-{timezone.now().timestamp()}",
    )
    assert isinstance(proposal, EntryProposal)
    return Case(
        "ledger-backdated-entry", proposal, maker, make_user("ketua", k), "Rp 40.000",
        "Bertanggal lebih dari 7 hari ke belakang (AD/ART)",
    )  # fmt: skip


def _period(k) -> Case:
    with_books(k)
    maker = make_user("bendahara", k)
    post_simple(k, 10_000_00, actor=maker, date=dt.date(2026, 1, 15))
    proposal = ledger_services.propose_period_close(k, actor=maker, year=2026, month=1)
    return Case(
        "ledger-period", proposal, maker, make_user("ketua", k), "",
        "Tutup buku bulan disetujui ketua",
    )  # fmt: skip


def _exit(k) -> Case:
    maker = make_user("ketua", k)  # a ketua may propose an exit: another ketua decides it
    proposal = member_services.propose_exit(
        make_member(k), actor=maker, to_status="berhenti", reason="Pindah domisili",
        effective_on=_today(), at=timezone.now(),
    )  # fmt: skip
    return Case(
        "members-exit", proposal, maker, make_user("ketua", k), "",
        "Anggota keluar bila ketua menyetujui usulan petugas lain",
    )  # fmt: skip


def _store_sale(k):
    from kopdes.domain.sale import Payment
    from kopdes.store import services as store_services
    from kopdes.store.testing import make_item, manajer

    item = make_item(k)
    store_services.receive_stock(
        k, actor=manajer(k), item=item, quantity=5, cost=5 * 15_000_00,
        idempotency_key=f"inbox-{item.pk}",
    )  # fmt: skip
    kasir = make_user("kasir", k)
    sale = store_services.checkout(
        k, actor=kasir, lines=[{"item": item, "quantity": 2}],
        payments=[Payment("cash", 36_000_00)], idempotency_key=f"inbox-sale-{item.pk}",
    )  # fmt: skip
    return sale, kasir


def _store_void(k) -> Case:
    from kopdes.store import services as store_services

    sale, kasir = _store_sale(k)
    proposal = store_services.propose_void(sale, actor=kasir, reason="Salah input")
    return Case(
        "store-void", proposal, kasir, make_user("ketua", k), "Rp 36.000",
        "Penjualan dibatalkan hanya bila petugas lain menyetujui (empat mata)",
    )  # fmt: skip


def _store_return(k) -> Case:
    from kopdes.store import services as store_services

    sale, kasir = _store_sale(k)
    line = sale.lines.get()
    proposal = store_services.propose_return(
        sale, actor=kasir, quantities={line.pk: 1}, reason="Kemasan rusak"
    )
    return Case(
        "store-return", proposal, kasir, make_user("bendahara", k), "Rp 18.000",
        "Barang retur dikembalikan uangnya hanya bila petugas lain menyetujui",
    )  # fmt: skip


def _stock_count(k) -> Case:
    from kopdes.store import services as store_services
    from kopdes.store.models import StockCountLine
    from kopdes.store.services import stock_count
    from kopdes.store.testing import make_item

    maker = make_user("manajer", k)  # may approve counts too: never her own
    item = make_item(k)
    store_services.receive_stock(
        k, actor=maker, item=item, quantity=10, cost=10 * 15_000_00, idempotency_key=f"sc-{item.pk}"
    )
    count = stock_count.start_count(k, actor=maker, business_unit=item.business_unit)
    line = StockCountLine.objects.get(count=count, item=item)
    stock_count.save_counts(count, actor=maker, counts={str(line.pk): "8"})
    stock_count.submit_count(count, actor=maker)
    count.refresh_from_db()
    return Case(
        "store-stock-count", count, maker, make_user("bendahara", k), "Rp 30.000",
        "Selisih stok opname (kurang Rp 30.000, lebih Rp 0) dibukukan setelah disetujui",
    )  # fmt: skip


BUILDERS = {
    "savings-withdrawal": _withdrawal,
    "savings-deposit": _deposit,
    "savings-correction": _correction,
    "loans-application": _application,
    "loans-restructure": _restructure,
    "loans-write-off": _write_off,
    "loans-repayment-reversal": _repayment_reversal,
    "ledger-reversal": _ledger_reversal,
    "ledger-period": _period,
    "members-exit": _exit,
    # The count sheet lists every item of the unit: counted before the sales below add theirs.
    "store-stock-count": _stock_count,
    "store-void": _store_void,
    "store-return": _store_return,
    "ledger-backdated-entry": _backdated_entry,
}


def _client(user) -> Client:
    return testing.login(Client(), user)


def _inbox_url(k) -> str:
    return reverse("approvals:inbox", kwargs={"slug": k.slug})


def _decide_url(k, case: Case, decision: str) -> str:
    return reverse(
        f"approvals:{decision}",
        kwargs={"slug": k.slug, "approval_kind": case.kind, "approval_item_id": case.item.pk},
    )


def _cards(response) -> list[str]:
    body = response.content.decode()
    return [part for part in body.split('data-testid="approval"')[1:]]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _state(item) -> tuple:
    """Every field of the item that a decision changes."""
    item = type(item).objects.get(pk=item.pk)
    return tuple(
        getattr(item, name, None)
        for name in ("status", "state", "decided_by_id", "approved_by_id", "reason")
    )


def test_every_module_registers_its_kinds():
    assert set(registry.KINDS) == set(BUILDERS)
    for kind in registry.KINDS.values():
        assert kind.permission in MATRIX, kind.name


def test_the_inbox_is_open_to_exactly_the_roles_that_decide_some_kind():
    deciders = frozenset().union(*(MATRIX[k.permission] for k in registry.KINDS.values()))
    assert MATRIX["approvals.view"] == deciders


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_each_kind_waits_for_the_checker_and_not_for_the_maker(koperasi, name):
    case = BUILDERS[name](koperasi)
    response = _client(case.checker).get(_inbox_url(koperasi))
    assert response.status_code == 200
    cards = [c for c in _cards(response) if f'data-kind="{name}"' in c]
    assert len(cards) == 1, response.content.decode()
    card = cards[0]
    assert case.rule in card
    assert case.amount in card
    assert str(case.maker) in card
    assert "baru saja" in card  # its age
    assert _decide_url(koperasi, case, "approve") in card
    # The maker: the item is not hers to decide (her inbox, when she has one, leaves it out).
    maker_view = _client(case.maker).get(_inbox_url(koperasi))
    if maker_view.status_code == 200:
        assert f'data-kind="{name}"' not in maker_view.content.decode()
    else:
        assert maker_view.status_code == 403
    assert registry.count(koperasi, case.maker, _roles(case.maker, koperasi)) == 0
    assert registry.count(koperasi, case.checker, _roles(case.checker, koperasi)) == 1


def _roles(user, k):
    from kopdes.platform.identity.selectors import roles_for

    return roles_for(user, k)


def test_an_officer_whose_roles_may_not_decide_a_kind_does_not_see_it(koperasi):
    case = _withdrawal(koperasi)
    pengawas = make_user("pengawas", koperasi)  # decides write-offs, not withdrawals
    response = _client(pengawas).get(_inbox_url(koperasi))
    assert response.status_code == 200
    assert 'data-testid="approval"' not in response.content.decode()
    assert 'data-testid="approvals-empty"' in response.content.decode()
    # Nor may she decide it by URL: the service refuses, nothing moves.
    before = _state(case.item)
    response = _client(pengawas).post(_decide_url(koperasi, case, "approve"), follow=True)
    assert _messages(response) == ["Anda tidak berwenang melakukan ini di koperasi ini."]
    assert _state(case.item) == before


def test_a_kasir_has_no_inbox(koperasi):
    kasir = make_user("kasir", koperasi)
    client = _client(kasir)
    assert client.get(_inbox_url(koperasi)).status_code == 403
    dashboard = client.get(reverse("web:dashboard", kwargs={"slug": koperasi.slug}))
    assert _inbox_url(koperasi) not in dashboard.content.decode()


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_approving_from_the_inbox_decides_through_the_module(koperasi, name):
    case = BUILDERS[name](koperasi)
    response = _client(case.checker).post(_decide_url(koperasi, case, "approve"), follow=True)
    assert response.redirect_chain[-1][0] == _inbox_url(koperasi)
    messages = _messages(response)
    assert len(messages) == 1 and messages[0].startswith("Disetujui:"), messages
    item = type(case.item).objects.get(pk=case.item.pk)
    if name == "loans-write-off":  # the first of two approvals (ketua, then a pengawas)
        assert item.decided_by_id == case.checker.pk and item.state == "pending"
    elif name == "loans-application":
        assert item.status == "approved" and item.decided_by_id == case.checker.pk
    else:
        assert (getattr(item, "status", None) or item.state) == "approved"
        assert item.decided_by_id == case.checker.pk
    assert registry.count(koperasi, case.checker, _roles(case.checker, koperasi)) == 0


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_rejecting_from_the_inbox_decides_through_the_module(koperasi, name):
    case = BUILDERS[name](koperasi)
    entries = JournalEntry.objects.filter(koperasi=koperasi).count()
    response = _client(case.checker).post(
        _decide_url(koperasi, case, "reject"), {"reason": "Tidak sesuai bukti"}, follow=True
    )
    assert response.redirect_chain[-1][0] == _inbox_url(koperasi)
    messages = _messages(response)
    assert len(messages) == 1 and messages[0].startswith("Ditolak:"), messages
    item = type(case.item).objects.get(pk=case.item.pk)
    assert (getattr(item, "status", None) or item.state) == "rejected"
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == entries  # nothing posted


def test_a_loan_rejection_needs_its_reason_as_on_the_loan_page(koperasi):
    case = _application(koperasi)
    response = _client(case.checker).post(_decide_url(koperasi, case, "reject"), follow=True)
    assert _messages(response) == ["Tulis alasan penolakan."]
    assert Loan.objects.get(pk=case.item.pk).status == "applied"


# The maker's approval, refused with the module's Indonesian message and nothing written:
# the inbox and the module's own page (its buttons are the include, posting to the same
# view pair with ``next``) answer alike, and the page's post comes back to the page.
def _loan_page(k, case: Case) -> str:
    loan_id = case.item.pk if case.kind == "loans-application" else case.item.loan_id
    return reverse("loans:loan-detail", kwargs={"slug": k.slug, "loan_id": loan_id})


def _loan_proposals_page(k, case: Case) -> str:
    return reverse("loans:proposal-list", kwargs={"slug": k.slug})


def _member_page(k, case: Case) -> str:
    return reverse(
        "members:member-detail", kwargs={"slug": k.slug, "member_id": case.item.member_id}
    )


def _stock_count_page(k, case: Case) -> str:
    return reverse("store:stock-count", kwargs={"slug": k.slug, "stock_count_id": case.item.pk})


# Each maker here holds a role that may decide her kind: only four eyes stand in the way.
MODULE_PAGE = {
    "store-stock-count": _stock_count_page,
    "loans-application": _loan_page,
    "loans-repayment-reversal": _loan_proposals_page,
    "members-exit": _member_page,
}


@pytest.mark.parametrize("name", sorted(MODULE_PAGE))
def test_the_maker_cannot_approve_from_the_inbox_nor_from_the_module(koperasi, name):
    case = BUILDERS[name](koperasi)
    page = MODULE_PAGE[name](koperasi, case)
    # The module's page offers the one decide pair, coming back to the page.
    shown = _client(case.checker).get(page).content.decode()
    assert f'action="{_decide_url(koperasi, case, "approve")}"' in shown
    assert f'name="next" value="{page}"' in shown
    client = _client(case.maker)
    before = (_state(case.item), JournalEntry.objects.filter(koperasi=koperasi).count())
    events = AuditEvent.objects.filter(koperasi=koperasi).count()
    inbox = client.post(_decide_url(koperasi, case, "approve"), follow=True)
    own = client.post(_decide_url(koperasi, case, "approve"), {"next": page}, follow=True)
    assert inbox.status_code == 200 and own.status_code == 200
    assert own.redirect_chain[-1][0] == page
    assert _messages(inbox) == _messages(own)
    assert len(_messages(inbox)) == 1
    message = _messages(inbox)[0]
    assert message != "Anda tidak berwenang melakukan ini di koperasi ini."
    assert any(word in message for word in ("Anda", "petugas", "Pengurus")), message
    after = (_state(case.item), JournalEntry.objects.filter(koperasi=koperasi).count())
    assert after == before
    assert AuditEvent.objects.filter(koperasi=koperasi).count() == events


def test_a_write_off_waits_for_the_other_half_after_the_first(koperasi):
    case = _write_off(koperasi)
    pengawas = make_user("pengawas", koperasi)
    _client(case.checker).post(_decide_url(koperasi, case, "approve"))
    assert registry.count(koperasi, case.checker, _roles(case.checker, koperasi)) == 0
    response = _client(pengawas).get(_inbox_url(koperasi))
    assert "satu sudah menyetujui" in response.content.decode()
    _client(pengawas).post(_decide_url(koperasi, case, "approve"))
    proposal = LoanProposal.objects.get(pk=case.item.pk)
    assert proposal.state == "approved" and proposal.second_approved_by_id == pengawas.pk
    assert Loan.objects.get(pk=proposal.loan_id).status == "written_off"


def test_a_loan_above_the_limit_waits_for_the_ketua_only(koperasi):
    maker = make_user("petugas_pinjaman", koperasi)
    ketua = make_user("ketua", koperasi)
    manajer = make_user("manajer", koperasi)
    loan = loan_services.apply_for_loan(
        savings_testing.active_member(koperasi),
        actor=maker,
        product=loan_testing.product(koperasi, actor=ketua),
        principal=15_000_000_00,
        term=12,
        applied_on=_today(),
    )
    assert registry.count(koperasi, manajer, _roles(manajer, koperasi)) == 0
    body = _client(ketua).get(_inbox_url(koperasi)).content.decode()
    assert "Pinjaman di atas Rp 10.000.000: diputuskan ketua (AD/ART)" in body
    assert "Rp 15.000.000" in body
    assert str(loan.number) in body


def test_a_relative_of_the_borrower_does_not_see_the_loan(koperasi):
    case = _application(koperasi)
    relative = make_user("manajer", koperasi)
    loan_services.record_relationship(
        case.item.member, actor=case.checker, user=relative, relation="adik"
    )
    assert registry.count(koperasi, relative, _roles(relative, koperasi)) == 0
    assert registry.count(koperasi, case.checker, _roles(case.checker, koperasi)) == 1


def test_an_item_already_decided_is_refused_with_the_modules_message(koperasi):
    case = _withdrawal(koperasi)
    savings_services.approve_withdrawal(case.item, actor=case.checker)
    other = make_user("bendahara", koperasi)
    response = _client(other).post(_decide_url(koperasi, case, "approve"), follow=True)
    # The one maker-checker's refusal (approvals.services.settle).
    (message,) = _messages(response)
    assert message.endswith(" ini sudah diputuskan."), message
    assert SavingsTransaction.objects.filter(koperasi=koperasi, kind="withdrawal").count() == 1


def test_an_unknown_kind_or_another_kinds_id_is_not_found(koperasi):
    case = _withdrawal(koperasi)
    client = _client(case.checker)
    # An unknown kind, another model's kind, a kind sharing the model (a deposit).
    for kind in ("no-such-kind", "savings-correction", "savings-deposit"):
        url = reverse(
            "approvals:approve",
            kwargs={"slug": koperasi.slug, "approval_kind": kind, "approval_item_id": case.item.pk},
        )
        assert client.post(url).status_code == 404
    assert WithdrawalRequest.objects.get(pk=case.item.pk).state == "pending"


def test_the_inbox_answers_get_only_for_decisions(koperasi):
    case = _withdrawal(koperasi)
    assert _client(case.checker).get(_decide_url(koperasi, case, "approve")).status_code == 405
    assert WithdrawalRequest.objects.get(pk=case.item.pk).state == "pending"


def test_the_navigation_counts_what_waits_for_her(koperasi):
    withdrawal = _withdrawal(koperasi)
    _exit(koperasi)
    ketua = withdrawal.checker
    page = _client(ketua).get(reverse("web:dashboard", kwargs={"slug": koperasi.slug}))
    body = page.content.decode()
    assert 'data-testid="nav-badge"' in body
    badge = body.split('data-testid="nav-badge"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert badge == "2"
    assert "2 menunggu" in body
    # The maker (a manajer) sees no badge: her own withdrawal is not hers to decide.
    maker_page = (
        _client(withdrawal.maker)
        .get(reverse("web:dashboard", kwargs={"slug": koperasi.slug}))
        .content.decode()
    )
    assert _inbox_url(koperasi) in maker_page
    assert 'data-testid="nav-badge"' not in maker_page


def test_the_navigation_count_is_one_query(koperasi, django_assert_num_queries):
    for build in BUILDERS.values():
        build(koperasi)
    ketua = make_user("ketua", koperasi)
    roles = _roles(ketua, koperasi)
    with django_assert_num_queries(1):
        n = registry.count(koperasi, ketua, roles)
    assert n == len(registry.inbox(koperasi, ketua, roles)) >= 8


def test_the_inbox_lists_the_oldest_first_with_its_age():
    now = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    assert age_text(now - dt.timedelta(days=2, hours=3), now) == "2 hari"
    assert age_text(now - dt.timedelta(hours=5), now) == "5 jam"
    assert age_text(now - dt.timedelta(minutes=5), now) == "baru saja"


def test_another_koperasis_items_never_show(koperasi, other_koperasi):
    _withdrawal(other_koperasi)
    ketua = make_user("ketua", koperasi)
    assert registry.count(koperasi, ketua, _roles(ketua, koperasi)) == 0
    assert 'data-testid="approval"' not in _client(ketua).get(_inbox_url(koperasi)).content.decode()


def test_rows_carry_the_models_of_their_kind():
    assert registry.KINDS["savings-withdrawal"].model is WithdrawalRequest
    assert registry.KINDS["savings-correction"].model is Correction
    assert registry.KINDS["loans-repayment-reversal"].model is RepaymentReversal
    assert registry.KINDS["ledger-reversal"].model is ReversalProposal
    assert registry.KINDS["ledger-period"].model is PeriodProposal
    assert registry.KINDS["members-exit"].model is ExitProposal


def _trail(koperasi, since_seq: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(koperasi=koperasi, seq__gt=since_seq)
        .order_by("seq")
        .values_list("action", flat=True)
    )


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_inbox_and_the_savings_page_write_the_same(koperasi, decision):
    """Two like withdrawals, one decided with the savings page's buttons (the include,
    ``next`` back to the page), one in the inbox: the same audit actions, the same movement
    and journal total (approve), nothing posted (reject); each returns where it came from."""
    first, second = _withdrawal(koperasi), _withdrawal(koperasi)
    checker = first.checker
    client = _client(checker)
    page = reverse("savings:approval-list", kwargs={"slug": koperasi.slug})
    trails, moved, landed = [], [], []
    for case, back in ((first, page), (second, "")):
        seq = AuditEvent.objects.filter(koperasi=koperasi).order_by("-seq").first().seq
        entries = JournalEntry.objects.filter(koperasi=koperasi).count()
        response = client.post(
            _decide_url(koperasi, case, decision),
            {"reason": "Bukti kurang", **({"next": back} if back else {})},
        )
        landed.append(response["Location"])
        trails.append(_trail(koperasi, seq))
        req = WithdrawalRequest.objects.get(pk=case.item.pk)
        posted = JournalEntry.objects.filter(koperasi=koperasi).order_by("-number").first()
        moved.append(
            (
                req.state,
                req.decision_note,
                JournalEntry.objects.filter(koperasi=koperasi).count() - entries,
                req.transaction.amount if req.transaction_id else None,
                posted.total_amount if req.transaction_id else None,
            )
        )
    assert landed == [page, _inbox_url(koperasi)]
    assert trails[0] == trails[1] and trails[0]
    assert moved[0] == moved[1]
    expected = "approved" if decision == "approve" else "rejected"
    assert moved[0][0] == expected
    assert moved[0][2] == (1 if decision == "approve" else 0)

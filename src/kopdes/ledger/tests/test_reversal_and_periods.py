"""Reversals (maker-checker) and monthly periods: close, year-end close, reopen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from kopdes.domain.ledger import LineDraft
from kopdes.ledger import selectors, services
from kopdes.ledger.errors import LedgerError, PermissionDeniedError
from kopdes.ledger.models import EntryProposal, JournalEntry, Period
from kopdes.ledger.testing import post_simple, with_books
from kopdes.ledger.verification import verify_books
from kopdes.platform.approvals.services import AlreadyDecidedError
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(koperasi):
    return with_books(koperasi)


@pytest.fixture
def officers(books):
    return {
        "bendahara": make_user("bendahara", books),
        "manajer": make_user("manajer", books),
        "ketua": make_user("ketua", books),
        "kasir": make_user("kasir", books),
    }


def balances(koperasi):
    return {r["code"]: r["balance"] for r in selectors.trial_balance(koperasi)}


def assert_verified(koperasi):
    for result in verify_books(koperasi):
        assert result.ok, (result.name, result.problems)


def test_reversal_is_proposed_by_one_and_approved_by_another(books, officers):
    before = balances(books)
    entry = post_simple(books, 75_000_00, debit="1-1200", credit="3-3000")
    proposal = services.propose_reversal(entry, actor=officers["bendahara"], reason="Salah akun")
    with pytest.raises(PermissionDeniedError):
        services.approve_reversal(proposal, actor=officers["bendahara"])  # the proposer
    with pytest.raises(PermissionDeniedError):
        services.approve_reversal(proposal, actor=officers["kasir"])  # no permission
    reversal = services.approve_reversal(proposal, actor=officers["ketua"])
    assert reversal.reverses == entry and reversal.kind == "reversal"
    assert reversal.number == entry.number + 1
    lines = [(x.account.code, x.side, x.amount) for x in selectors.entry_lines(reversal)]
    assert lines == [("1-1200", "C", 75_000_00), ("3-3000", "D", 75_000_00)]
    assert balances(books) == before  # reversal leaves every balance as before
    proposal.refresh_from_db()
    assert proposal.state == "approved" and proposal.reversal_entry == reversal
    actions = set(AuditEvent.objects.filter(koperasi=books).values_list("action", flat=True))
    assert {"ledger.reversal.proposed", "ledger.reversal.approved"} <= actions
    with pytest.raises(LedgerError, match="sudah pernah dibalik"):
        services.propose_reversal(entry, actor=officers["bendahara"], reason="lagi")
    assert_verified(books)


def test_an_entry_is_reversed_at_most_once_by_the_database(books):
    entry = post_simple(books)
    services.post(
        books,
        actor=None,
        date=entry.date,
        memo="Balik",
        idempotency_key="r1",
        lines=[
            LineDraft.credit("1-1100", entry.total_amount),
            LineDraft.debit("3-2000", entry.total_amount),
        ],
        kind="reversal",
        reverses=entry,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        services.post(
            books,
            actor=None,
            date=entry.date,
            memo="Balik lagi",
            idempotency_key="r2",
            lines=[
                LineDraft.credit("1-1100", entry.total_amount),
                LineDraft.debit("3-2000", entry.total_amount),
            ],
            kind="reversal",
            reverses=entry,
        )


def test_rejected_reversal_posts_nothing(books, officers):
    entry = post_simple(books)
    proposal = services.propose_reversal(entry, actor=officers["manajer"], reason="Ragu")
    with pytest.raises(LedgerError, match="menunggu"):
        services.propose_reversal(entry, actor=officers["bendahara"], reason="Dobel")
    services.reject_reversal(proposal, actor=officers["ketua"], reason="Sudah benar")
    assert JournalEntry.objects.filter(koperasi=books).count() == 1
    with pytest.raises(AlreadyDecidedError, match="sudah diputuskan"):
        services.approve_reversal(proposal, actor=officers["ketua"])


def test_reversal_of_a_closed_month_is_dated_in_an_open_month(books, officers):
    entry = post_simple(books, date=dt.date(2026, 1, 10))
    close_month(books, officers, 2026, 1)
    proposal = services.propose_reversal(
        entry, actor=officers["bendahara"], reason="Telat", date=dt.date(2026, 2, 3)
    )
    reversal = services.approve_reversal(proposal, actor=officers["ketua"])
    assert reversal.period == 202602
    other = post_simple(books, date=dt.date(2026, 2, 5))
    # A reversal dated in a closed month is refused when proposed (the business-date
    # rule), and again at approval should the month close in between.
    with pytest.raises(LedgerError, match="ditutup"):
        services.propose_reversal(
            other, actor=officers["bendahara"], reason="x", date=dt.date(2026, 1, 31)
        )
    waiting = services.propose_reversal(
        other, actor=officers["bendahara"], reason="x", date=dt.date(2026, 2, 6)
    )
    close_month(books, officers, 2026, 2)
    with pytest.raises(LedgerError, match="ditutup"):
        services.approve_reversal(waiting, actor=officers["ketua"])
    waiting.refresh_from_db()  # the refused posting left it waiting, undecided
    assert (waiting.state, waiting.decided_by_id, waiting.decided_at) == ("pending", None, None)
    assert_verified(books)


def test_a_month_is_closed_only_after_it_has_ended(books, officers):
    today = books.today()
    with pytest.raises(LedgerError, match="belum berakhir") as exc:
        services.propose_period_close(
            books, actor=officers["bendahara"], year=today.year, month=today.month
        )
    assert exc.value.field == "period"
    with pytest.raises(LedgerError, match="belum berakhir"):
        services.propose_period_close(books, actor=officers["bendahara"], year=2099, month=1)


def close_month(books, officers, year, month):
    proposal = services.propose_period_close(
        books, actor=officers["bendahara"], year=year, month=month
    )
    return services.approve_period_change(proposal, actor=officers["ketua"])


def test_closing_a_month_needs_bendahara_then_ketua_and_blocks_postings(books, officers):
    post_simple(books, date=dt.date(2026, 1, 31))
    with pytest.raises(PermissionDeniedError):
        services.propose_period_close(books, actor=officers["kasir"], year=2026, month=1)
    proposal = services.propose_period_close(books, actor=officers["bendahara"], year=2026, month=1)
    with pytest.raises(PermissionDeniedError):
        services.approve_period_change(proposal, actor=officers["manajer"])
    services.approve_period_change(proposal, actor=officers["ketua"])
    assert selectors.closed_periods(books) == [202601]
    for day in (dt.date(2026, 1, 1), dt.date(2026, 1, 31)):
        with pytest.raises(LedgerError, match="ditutup"):
            post_simple(books, date=day)
    assert post_simple(books, date=dt.date(2026, 2, 1)).period == 202602
    assert AuditEvent.objects.filter(koperasi=books, action="ledger.period.closed").exists()
    with pytest.raises(LedgerError, match="sudah ditutup"):
        services.propose_period_close(books, actor=officers["bendahara"], year=2026, month=1)
    assert_verified(books)


def test_months_close_in_order_and_reopen_newest_first(books, officers):
    post_simple(books, date=dt.date(2026, 1, 5))
    post_simple(books, date=dt.date(2026, 2, 5))
    with pytest.raises(LedgerError, match="01/2026"):
        services.propose_period_close(books, actor=officers["bendahara"], year=2026, month=2)
    close_month(books, officers, 2026, 1)
    close_month(books, officers, 2026, 2)
    with pytest.raises(LedgerError, match="alasan"):
        services.propose_period_reopen(
            books, actor=officers["bendahara"], year=2026, month=1, reason=""
        )
    with pytest.raises(LedgerError, match="02/2026"):
        services.propose_period_reopen(
            books, actor=officers["bendahara"], year=2026, month=1, reason="Koreksi"
        )
    proposal = services.propose_period_reopen(
        books, actor=officers["bendahara"], year=2026, month=2, reason="Ada nota tertinggal"
    )
    with pytest.raises(PermissionDeniedError):
        services.approve_period_change(proposal, actor=officers["bendahara"])
    services.approve_period_change(proposal, actor=officers["ketua"])
    assert Period.objects.get(koperasi=books, period=202602).status == "open"
    assert post_simple(books, date=dt.date(2026, 2, 20)).period == 202602
    event = AuditEvent.objects.get(koperasi=books, action="ledger.period.reopened")
    assert event.summary["reason"] == "Ada nota tertinggal"
    assert_verified(books)


def test_year_end_close_moves_the_result_to_shu_tahun_berjalan(books, officers):
    def sale(amount, revenue, day):
        services.post(
            books,
            actor=None,
            date=day,
            memo="Penjualan",
            idempotency_key=f"s-{revenue}-{day}",
            lines=[LineDraft.debit("1-1101", amount), LineDraft.credit(revenue, amount)],
        )

    sale(300_000_00, "4-1101", dt.date(2025, 12, 10))
    sale(200_000_00, "4-1201", dt.date(2025, 12, 11))
    services.post(
        books,
        actor=None,
        date=dt.date(2025, 12, 12),
        memo="HPP dan beban",
        idempotency_key="cost",
        lines=[
            LineDraft.debit("5-1101", 350_000_00),
            LineDraft.debit("5-2100", 50_000_00),
            LineDraft.credit("1-1101", 400_000_00),
        ],
    )
    proposal = close_month(books, officers, 2025, 12)
    closing = proposal.closing_entry
    assert closing is not None and closing.kind == "closing"
    assert closing.date == dt.date(2025, 12, 31)
    b = balances(books)
    assert b["3-9000"] == 100_000_00  # 500k revenue - 400k cost
    for code in ("4-1101", "4-1201", "5-1101", "5-2100"):
        assert b[code] == 0
    assert sum(v for k, v in b.items() if k.startswith(("4-", "5-"))) == 0
    assets = sum(v for k, v in b.items() if k.startswith("1-"))
    liab_eq = sum(v for k, v in b.items() if k.startswith(("2-", "3-")))
    assert assets == liab_eq
    assert_verified(books)


def test_year_end_loss_debits_shu_and_fiscal_year_follows_the_koperasi(books, officers):
    books.fiscal_year_start_month = 7
    books.save(update_fields=["fiscal_year_start_month"])
    services.post(
        books,
        actor=None,
        date=dt.date(2026, 6, 1),
        memo="Beban",
        idempotency_key="b",
        lines=[LineDraft.debit("5-2500", 10_000_00), LineDraft.credit("1-1100", 10_000_00)],
    )
    proposal = close_month(books, officers, 2026, 6)
    assert proposal.closing_entry is not None
    assert balances(books)["3-9000"] == -10_000_00
    assert_verified(books)


def test_closing_a_non_year_end_month_posts_no_closing_entry(books, officers):
    post_simple(books, 1_000_00, debit="1-1100", credit="4-2100", date=dt.date(2026, 3, 3))
    proposal = close_month(books, officers, 2026, 3)
    assert proposal.closing_entry is None


def test_an_entry_of_another_koperasi_cannot_be_reversed_here(books, other_koperasi):
    with_books(other_koperasi)
    foreign = post_simple(other_koperasi)
    with pytest.raises(LedgerError, match="koperasi lain"):
        services.post(
            books,
            actor=None,
            date=foreign.date,
            memo="Balik",
            idempotency_key="x",
            lines=[LineDraft.credit("1-1100", 5), LineDraft.debit("3-2000", 5)],
            kind="reversal",
            reverses=foreign,
        )


def test_an_entry_made_by_another_module_is_corrected_there_not_reversed_here(books, officers):
    """A savings or loans entry also changed the module's records (passbook, schedule)."""
    entry = post_simple(books, 10_000_00, debit="1-1100", credit="4-2000", source="loans.ppap")
    with pytest.raises(LedgerError, match=r"loans\.ppap"):
        services.propose_reversal(entry, actor=officers["bendahara"], reason="Salah input")
    manual = post_simple(books, 10_000_00, debit="1-1100", credit="4-2000", source="manual")
    assert services.propose_reversal(manual, actor=officers["bendahara"], reason="Salah input")


# --- the one maker-checker (approvals.models.Proposal) -----------------------------------


def _entry_proposal(books, maker) -> EntryProposal:
    return EntryProposal.objects.create(
        koperasi=books,
        date=dt.date(2026, 1, 5),
        memo="Mundur",
        lines=[
            LineDraft.debit("5-2100", 5_000).as_dict(),
            LineDraft.credit("1-1100", 5_000).as_dict(),
        ],
        total_amount=5_000,
        idempotency_key="mundur-1",
        proposed_by=maker,
        reason="mundur 30 hari",
    )


def _pending_proposals(books, officers) -> list:
    maker = officers["bendahara"]
    entry = post_simple(books, date=dt.date(2026, 1, 10))
    return [
        services.propose_reversal(entry, actor=maker, reason="Salah akun"),
        services.propose_period_close(books, actor=maker, year=2026, month=1),
        _entry_proposal(books, maker),
    ]


def test_the_database_refuses_a_checker_who_is_the_maker_on_every_ledger_proposal(books, officers):
    for proposal in _pending_proposals(books, officers):
        model = type(proposal)
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.filter(pk=proposal.pk).update(
                decided_by_id=proposal.proposed_by_id, state="approved"
            )
        assert model.objects.get(pk=proposal.pk).decided_by_id is None
        assert f"ledger_{model._meta.model_name}_four_eyes" in {
            c.name for c in model._meta.constraints
        }


def test_a_decided_ledger_proposal_is_refused_a_second_decision(books, officers):
    reversal, period, backdated = _pending_proposals(books, officers)
    services.approve_reversal(reversal, actor=officers["ketua"])
    services.approve_period_change(period, actor=officers["ketua"])
    services.reject_entry_proposal(backdated, actor=officers["ketua"], reason="Tanpa bukti")
    entries = JournalEntry.objects.filter(koperasi=books).count()
    events = AuditEvent.objects.filter(koperasi=books).count()
    manajer = officers["manajer"]
    second = [
        lambda: services.approve_reversal(reversal, actor=manajer),
        lambda: services.reject_reversal(reversal, actor=manajer, reason="x"),
        lambda: services.approve_period_change(period, actor=officers["ketua"]),
        lambda: services.reject_period_change(period, actor=officers["ketua"], reason="x"),
        lambda: services.approve_entry_proposal(backdated, actor=manajer),
        lambda: services.reject_entry_proposal(backdated, actor=manajer, reason="x"),
    ]
    for decide in second:
        with pytest.raises(AlreadyDecidedError, match="Usulan ini sudah diputuskan"):
            decide()
    assert JournalEntry.objects.filter(koperasi=books).count() == entries
    assert AuditEvent.objects.filter(koperasi=books).count() == events
    backdated.refresh_from_db()
    assert (backdated.state, backdated.decision_note) == ("rejected", "Tanpa bukti")


def test_rejecting_a_month_keeps_the_ketuas_words_and_closes_nothing(books, officers):
    post_simple(books, date=dt.date(2026, 1, 10))
    proposal = services.propose_period_close(books, actor=officers["bendahara"], year=2026, month=1)
    with pytest.raises(PermissionDeniedError, match="tidak berwenang"):  # not a ketua's role
        services.reject_period_change(proposal, actor=officers["bendahara"], reason="batal")
    rejected = services.reject_period_change(
        proposal, actor=officers["ketua"], reason="  Kas belum dihitung  "
    )
    assert (rejected.state, rejected.decided_by, rejected.decision_note) == (
        "rejected",
        officers["ketua"],
        "Kas belum dihitung",
    )
    assert selectors.closed_periods(books) == []
    event = AuditEvent.objects.get(koperasi=books, action="ledger.period.change_rejected")
    assert event.summary["reason"] == event.summary["note"] == "Kas belum dihitung"


@pytest.mark.django_db(transaction=True)
def test_migration_0010_keeps_every_proposal_and_its_state():
    """Back to 0009 (``status``), rows written there, forward again: the same rows with
    their state under ``state``, no decision note yet, the base's constraints in force."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from kopdes.platform.core.testing import make_koperasi

    books = with_books(make_koperasi())
    maker, checker = make_user("bendahara", books), make_user("ketua", books)
    entries = [post_simple(books, date=dt.date(2026, 1, d)) for d in (5, 6, 7)]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([("ledger", "0009_sen_field")])
    try:
        old = executor.loader.project_state(("ledger", "0009_sen_field")).apps
        Reversal = old.get_model("ledger", "ReversalProposal")
        Period = old.get_model("ledger", "PeriodProposal")
        Entry = old.get_model("ledger", "EntryProposal")
        now = dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC)
        rows = {}
        for entry, status in zip(entries, ("pending", "approved", "rejected"), strict=True):
            decided = (
                {"decided_by_id": checker.pk, "decided_at": now} if status != "pending" else {}
            )
            rows[Reversal.objects.create(
                koperasi_id=books.pk, entry_id=entry.pk, reason=f"r-{status}", date=entry.date,
                status=status, proposed_by_id=maker.pk, proposed_at=now, **decided,
            ).pk] = ("reversal", status)  # fmt: skip
        rows[Period.objects.create(
            koperasi_id=books.pk, period=202601, action="close", status="pending",
            proposed_by_id=maker.pk, proposed_at=now,
        ).pk] = ("period", "pending")  # fmt: skip
        rows[Entry.objects.create(
            koperasi_id=books.pk, date=dt.date(2026, 1, 2), memo="m", lines=[], total_amount=1,
            idempotency_key="k", status="approved", proposed_by_id=maker.pk, proposed_at=now,
            decided_by_id=checker.pk, decided_at=now, reason="mundur",
        ).pk] = ("entry", "approved")  # fmt: skip
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
    from kopdes.ledger.models import PeriodProposal, ReversalProposal

    models = {"reversal": ReversalProposal, "period": PeriodProposal, "entry": EntryProposal}
    for pk, (kind, status) in rows.items():
        row = models[kind].objects.get(pk=pk)
        assert (row.state, row.decision_note, row.proposed_by_id) == (status, "", maker.pk)
    reversal = ReversalProposal.objects.get(reason="r-rejected")
    assert reversal.decided_by_id == checker.pk and reversal.date == entries[2].date
    # The constraints work on the renamed column: one pending reversal per entry, four eyes.
    with pytest.raises(IntegrityError), transaction.atomic():
        ReversalProposal.objects.create(
            koperasi=books, entry=entries[0], reason="lagi", date=entries[0].date, proposed_by=maker
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PeriodProposal.objects.filter(period=202601).update(decided_by=maker)

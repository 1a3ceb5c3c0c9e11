"""Business dates that cannot jam the books (issue 13, part 1).

A journal date lies between the koperasi's books start and today in its time zone, never
in a closed month; back-dating beyond the AD/ART allowance needs a second officer; the
database refuses an out-of-range date below the ORM; ``kopdes verify`` reports rows
outside the bounds; the period page says which month closes next.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from kopdes.domain.ledger import LineDraft
from kopdes.ledger import selectors, services, verification
from kopdes.ledger.errors import LedgerError, PermissionDeniedError
from kopdes.ledger.models import Account, EntryProposal, JournalEntry, JournalLine
from kopdes.ledger.testing import post_simple, with_books
from kopdes.ledger.tests.dbtools import db_id
from kopdes.platform.approvals.services import AlreadyDecidedError
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import login, make_koperasi, make_user
from kopdes.platform.identity.services import create_api_token

pytestmark = pytest.mark.django_db

LINES = [LineDraft.debit("5-2100", 25_000_00), LineDraft.credit("1-1100", 25_000_00)]


@pytest.fixture
def books(db):
    """A koperasi with the AD/ART defaults (back-dating allowance 7 days) and books that
    start on 1 January of last year."""
    koperasi = make_koperasi(adart_settings={})
    today = koperasi.today()
    koperasi.books_start = dt.date(today.year - 1, 1, 1)
    koperasi.save(update_fields=["books_start"])
    return with_books(koperasi)


@pytest.fixture
def officers(books):
    return {
        "bendahara": make_user("bendahara", books),
        "ketua": make_user("ketua", books),
        "kasir": make_user("kasir", books),
    }


def _auth(user):
    _, raw = create_api_token(user, actor=user, name="uji")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _api_post(client, koperasi, headers, day, key):
    return client.post(
        f"/api/k/{koperasi.slug}/ledger/entries",
        data=json.dumps(
            {
                "date": day,
                "memo": "Bayar listrik kantor",
                "lines": [
                    {"account": "5-2100", "side": "D", "amount": 25_000_00},
                    {"account": "1-1100", "side": "C", "amount": 25_000_00},
                ],
            }
        ),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **headers,
    )


def _close(books, officers, day: dt.date):
    proposal = services.propose_period_close(
        books, actor=officers["bendahara"], year=day.year, month=day.month
    )
    return services.approve_period_change(proposal, actor=officers["ketua"])


def test_the_koperasi_today_follows_its_time_zone(books):
    assert books.time_zone == "Asia/Jakarta"
    books.region_code = "51.71.01.1001"  # Bali: WITA
    assert books.time_zone == "Asia/Makassar"


@pytest.mark.parametrize(
    ("day", "words"),
    [
        ("0001-01-01", "di luar rentang"),
        ("9999-12-31", "di luar rentang"),
        ("1999-12-31", "di luar rentang"),
        ("tomorrow", "belum tiba"),
        ("before-books", "sebelum awal pembukuan"),
    ],
)
def test_an_api_entry_outside_the_bounds_is_a_4xx_and_writes_nothing(
    client, books, officers, day, words
):
    today = books.today()
    day = {
        "tomorrow": (today + dt.timedelta(days=1)).isoformat(),
        "before-books": (books.books_start - dt.timedelta(days=1)).isoformat(),
    }.get(day, day)
    headers = _auth(officers["bendahara"])
    events = AuditEvent.objects.count()
    response = _api_post(client, books, headers, day, key=f"api-{day}")
    assert response.status_code in (400, 422), response.content
    data = response.json()
    assert words in data["message"]
    assert data["field"] == "date"
    assert JournalEntry.objects.filter(koperasi=books).count() == 0
    assert EntryProposal.objects.filter(koperasi=books).count() == 0
    assert AuditEvent.objects.count() == events
    # The key was not remembered: the corrected request succeeds with it.
    fixed = _api_post(client, books, headers, today.isoformat(), key=f"api-{day}")
    assert fixed.status_code == 201, fixed.content


def test_post_refuses_a_closed_month_and_any_month_before_the_newest_closed_one(books, officers):
    today = books.today()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    two_back = (last_month_end.replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    post_simple(books, date=last_month_end)
    # The month before has no entry: closing last month is allowed, and then the empty
    # month before it counts as closed too (months close in order).
    _close(books, officers, last_month_end)
    for day in (last_month_end, two_back):
        with pytest.raises(LedgerError, match="sudah ditutup") as exc:
            post_simple(books, date=day)
        assert exc.value.field == "date"
    assert post_simple(books, date=today).date == today


def test_post_many_applies_the_same_rule_and_names_the_entry(books):
    today = books.today()
    requests = [
        services.EntryRequest(date=today, memo="Baik", lines=LINES, idempotency_key="b-1"),
        services.EntryRequest(
            date=dt.date(1, 1, 1), memo="Salah", lines=LINES, idempotency_key="b-2"
        ),
    ]
    with pytest.raises(LedgerError, match=r"b-2.*di luar rentang"):
        services.post_many(books, actor=None, entries=requests)
    assert JournalEntry.objects.filter(koperasi=books).count() == 0


def test_a_manual_entry_back_dated_beyond_the_allowance_waits_for_another_officer(books, officers):
    today = books.today()
    back = today - dt.timedelta(days=8)
    proposal = services.post_manual(
        books,
        actor=officers["bendahara"],
        date=back,
        memo="Listrik bulan lalu",
        lines=LINES,
        idempotency_key="m-1",
    )
    assert isinstance(proposal, EntryProposal)
    assert proposal.state == "pending"
    assert "mundur 8 hari" in proposal.reason and "lebih dari 7 hari" in proposal.reason
    assert JournalEntry.objects.filter(koperasi=books).count() == 0
    assert AuditEvent.objects.filter(action="ledger.entry.proposed").count() == 1
    # A retry returns the same proposal; other content under the key is a conflict.
    again = services.post_manual(
        books, actor=officers["bendahara"], date=back, memo="Listrik bulan lalu",
        lines=LINES, idempotency_key="m-1",
    )  # fmt: skip
    assert again.pk == proposal.pk and again.replayed
    with pytest.raises(services.IdempotencyConflictError):
        services.post_manual(
            books, actor=officers["bendahara"], date=back, memo="Lain",
            lines=LINES, idempotency_key="m-1",
        )  # fmt: skip
    # The proposer cannot approve it; another officer can.
    with pytest.raises(PermissionDeniedError):
        services.approve_entry_proposal(proposal, actor=officers["bendahara"])
    entry = services.approve_entry_proposal(proposal, actor=officers["ketua"])
    assert entry.date == back and entry.total_amount == 25_000_00
    proposal.refresh_from_db()
    assert proposal.state == "approved" and proposal.entry_id == entry.pk
    assert proposal.decided_by == officers["ketua"]
    # The key now names the entry: a retry is a replay, not a second proposal.
    replay = services.post_manual(
        books, actor=officers["bendahara"], date=back, memo="Listrik bulan lalu",
        lines=LINES, idempotency_key="m-1",
    )  # fmt: skip
    assert replay.pk == entry.pk
    with pytest.raises(AlreadyDecidedError, match="sudah diputuskan"):
        services.approve_entry_proposal(proposal, actor=officers["ketua"])


def test_within_the_allowance_a_manual_entry_posts_directly(books, officers):
    seven_back = books.today() - dt.timedelta(days=7)
    entry = services.post_manual(
        books, actor=officers["bendahara"], date=seven_back, memo="Listrik",
        lines=LINES, idempotency_key="m-2",
    )  # fmt: skip
    assert isinstance(entry, JournalEntry)


def test_an_impossible_back_dated_entry_is_refused_not_proposed(books, officers):
    for day in (dt.date(1, 1, 1), books.books_start - dt.timedelta(days=1)):
        with pytest.raises(LedgerError) as exc:
            services.post_manual(
                books, actor=officers["bendahara"], date=day, memo="Salah",
                lines=LINES, idempotency_key=f"m-{day}",
            )  # fmt: skip
        assert exc.value.field == "date"
    unbalanced = [LineDraft.debit("5-2100", 2), LineDraft.credit("1-1100", 1)]
    with pytest.raises(LedgerError, match="tidak seimbang"):
        services.post_manual(
            books, actor=officers["bendahara"], date=books.today() - dt.timedelta(days=30),
            memo="Salah", lines=unbalanced, idempotency_key="m-x",
        )  # fmt: skip
    assert EntryProposal.objects.filter(koperasi=books).count() == 0


def test_approval_checks_the_dates_again(books, officers):
    today = books.today()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    proposal = services.post_manual(
        books, actor=officers["bendahara"], date=last_month_end - dt.timedelta(days=20),
        memo="Terlambat", lines=LINES, idempotency_key="m-3",
    )  # fmt: skip
    assert isinstance(proposal, EntryProposal)
    post_simple(books, date=last_month_end)
    _close(books, officers, last_month_end)
    with pytest.raises(LedgerError, match="sudah ditutup"):
        services.approve_entry_proposal(proposal, actor=officers["ketua"])
    proposal.refresh_from_db()
    assert proposal.state == "pending" and proposal.entry_id is None
    rejected = services.reject_entry_proposal(proposal, actor=officers["ketua"], reason="Tutup")
    assert rejected.state == "rejected" and rejected.decision_note == "Tutup"


def test_api_back_dated_entry_answers_202_with_the_proposal(client, books, officers):
    back = (books.today() - dt.timedelta(days=10)).isoformat()
    response = _api_post(client, books, _auth(officers["bendahara"]), back, key="api-back")
    assert response.status_code == 202, response.content
    data = response.json()
    assert data["status"] == "pending" and "petugas lain" in data["message"]
    assert EntryProposal.objects.get(pk=data["proposal_id"]).date.isoformat() == back
    assert JournalEntry.objects.filter(koperasi=books).count() == 0


def test_the_manual_journal_page_shows_the_date_message_on_the_field(client, books, officers):
    login(client, officers["bendahara"])
    url = reverse("ledger:entry-create", kwargs={"slug": books.slug})
    data = {
        "step": "post",
        "date": "01-01-2001",
        "memo": "Salah tanggal",
        "business_unit": "",
        "idempotency_key": "page-1",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-account": str(Account.objects.get(koperasi=books, code="5-2100").pk),
        "lines-0-debit": "25.000",
        "lines-1-account": str(Account.objects.get(koperasi=books, code="1-1100").pk),
        "lines-1-credit": "25.000",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "sebelum awal pembukuan" in " ".join(form.errors["date"])
    assert "sebelum awal pembukuan" in response.content.decode()
    assert JournalEntry.objects.filter(koperasi=books).count() == 0


def test_the_back_dated_proposal_is_approved_on_its_page(client, books, officers):
    proposal = services.post_manual(
        books, actor=officers["bendahara"], date=books.today() - dt.timedelta(days=9),
        memo="Usulan", lines=LINES, idempotency_key="m-4",
    )  # fmt: skip
    login(client, officers["ketua"])
    page = client.get(reverse("ledger:entry-proposal-list", kwargs={"slug": books.slug}))
    assert page.status_code == 200 and "Usulan" in page.content.decode()
    approve = reverse(
        "approvals:approve",
        kwargs={
            "slug": books.slug,
            "approval_kind": "ledger-backdated-entry",
            "approval_item_id": proposal.pk,
        },
    )
    listing = reverse("ledger:entry-proposal-list", kwargs={"slug": books.slug})
    assert f'action="{approve}"' in page.content.decode()
    response = client.post(approve, {"next": listing})
    assert response.status_code == 302 and response["Location"] == listing
    proposal.refresh_from_db()
    assert proposal.state == "approved" and proposal.entry is not None


def test_the_database_refuses_an_out_of_range_date_below_the_orm(books):
    entry = post_simple(books, date=books.today())
    line = JournalLine.objects.filter(entry=entry).first()
    bad_rows = [
        (
            "INSERT INTO ledger_accountbalance (id, koperasi_id, account_id, business_unit, "
            "period, debit_total, credit_total) VALUES (%s, %s, %s, '', 101, 0, 0)",
            [db_id(uuid.uuid4()), db_id(books.pk), db_id(line.account_id)],
        ),
        (
            "INSERT INTO ledger_subledgerbalance (id, koperasi_id, account_id, subledger_kind, "
            "subledger_ref, period, debit_total, credit_total) "
            "VALUES (%s, %s, %s, 'savings', 'x', 999912, 0, 0)",
            [db_id(uuid.uuid4()), db_id(books.pk), db_id(line.account_id)],
        ),
    ]
    for sql, params in bad_rows:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, params)
    constraints = {
        "ledger_journalentry": {"ledger_entry_date_sane", "ledger_entry_period_sane"},
        "ledger_journalline": {"ledger_line_date_sane", "ledger_line_period_sane"},
    }
    with connection.cursor() as cur:
        for table, names in constraints.items():
            found = connection.introspection.get_constraints(cur, table)
            assert names <= set(found), (table, sorted(found))
            assert all(found[name]["check"] for name in names)


def test_verify_reports_entries_outside_the_bounds(books, monkeypatch):
    assert verification.check_dates(books).ok
    entry = post_simple(books, date=books.today())
    # The books start moved after the entry (as a bad migration or edit could do).
    type(books).objects.filter(pk=books.pk).update(books_start=books.today() + dt.timedelta(1))
    books.refresh_from_db()
    result = verification.check_dates(books)
    assert not result.ok
    assert f"jurnal {entry.number}" in result.problems[0]
    assert "sebelum awal pembukuan" in result.problems[0]
    # An entry dated after "today" (a clock that was ahead when it was posted).
    type(books).objects.filter(pk=books.pk).update(books_start=dt.date(2020, 1, 1))
    books.refresh_from_db()
    yesterday = books.today() - dt.timedelta(days=1)
    monkeypatch.setattr(type(books), "today", lambda self: yesterday)
    result = verification.check_dates(books)
    assert not result.ok and "setelah hari ini" in result.problems[0]


def test_opening_balances_before_the_books_start_move_it(books, officers):
    from kopdes.ledger import opening
    from kopdes.ledger.tests.test_opening import GOOD, filled

    books.books_start = books.today().replace(day=1)
    books.save(update_fields=["books_start"])
    day = dt.date(books.today().year - 1, 12, 31)
    entry = opening.import_opening(books, actor=officers["bendahara"], data=filled(GOOD), date=day)
    assert entry.date == day
    books.refresh_from_db()
    assert books.books_start == dt.date(day.year, 12, 1)
    assert AuditEvent.objects.filter(action="ledger.books_start.moved").count() == 1


def test_the_period_page_says_which_month_closes_next_and_why(client, books, officers):
    today = books.today()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    post_simple(books, date=last_month_end)
    login(client, officers["bendahara"])
    url = reverse("ledger:period-list", kwargs={"slug": books.slug})
    nxt = selectors.next_close(books)
    assert nxt.period == last_month_end.year * 100 + last_month_end.month and nxt.ready
    page = client.get(url).content.decode()
    assert "Bulan berikutnya yang dapat ditutup" in page
    assert nxt.reason in page
    _close(books, officers, last_month_end)
    nxt = selectors.next_close(books)
    assert nxt.period == today.year * 100 + today.month
    assert not nxt.ready and "setelah berakhir" in nxt.reason
    assert "sudah ditutup" in nxt.reason
    assert nxt.reason in client.get(url).content.decode()


def test_kopdes_verify_fails_on_an_entry_before_the_books_start(books):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    entry = post_simple(books, date=books.today())
    type(books).objects.filter(pk=books.pk).update(books_start=books.today() + dt.timedelta(1))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("verify", "--koperasi", books.slug, "--no-anchors", stdout=out, stderr=err)
    report = out.getvalue() + err.getvalue()
    assert f"jurnal {entry.number}" in report and "sebelum awal pembukuan" in report


@pytest.mark.django_db(transaction=True)
def test_the_migration_never_blocks_an_upgrade_over_old_rows_outside_the_range(capsys):
    """A database that already holds a row outside the range (written before the fix)
    still migrates: PostgreSQL checks new rows only (NOT VALID), SQLite warns."""
    import importlib

    from django.db.migrations.loader import MigrationLoader

    from kopdes.ledger.models import AccountBalance

    module = importlib.import_module("kopdes.ledger.migrations.0007_sane_business_dates")
    constraint = next(
        c for c in AccountBalance._meta.constraints if c.name == "ledger_balance_period_sane"
    )
    koperasi = with_books(make_koperasi())
    account = Account.objects.filter(koperasi=koperasi).first()
    loader = MigrationLoader(connection)
    # The table as it was before migration 0007 (SQLite rebuilds it from this model).
    before = loader.project_state(("ledger", "0006_shu_statement_accounts"))
    with connection.schema_editor() as editor:
        editor.remove_constraint(before.apps.get_model("ledger", "AccountBalance"), constraint)
    try:
        AccountBalance.objects.create(koperasi=koperasi, account=account, period=101)
        state = loader.project_state(("ledger", "0007_sane_business_dates"))
        operation = module.SaneCheck(model_name="accountbalance", constraint=constraint)
        with connection.schema_editor() as editor:
            operation.database_forwards("ledger", editor, state, state)
        assert "ledger_accountbalance holds 1 row(s)" in capsys.readouterr().err
        if connection.vendor == "postgresql":
            with pytest.raises(IntegrityError), transaction.atomic():
                AccountBalance.objects.create(
                    koperasi=koperasi, account=account, business_unit="x", period=999912
                )
        assert AccountBalance.objects.filter(period=101).count() == 1
    finally:
        AccountBalance.objects.filter(period__lt=200001).delete()
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(
                    "ALTER TABLE ledger_accountbalance "
                    "DROP CONSTRAINT IF EXISTS ledger_balance_period_sane"
                )
        with connection.schema_editor() as editor:
            editor.add_constraint(AccountBalance, constraint)
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, "ledger_accountbalance")
    assert "ledger_balance_period_sane" in found

"""Loan movements carry only business dates the books accept (issue 13, part 1): not
before the books start or the disbursement, not after today in the koperasi's time zone,
never in a closed month; the daily job runs on the koperasi's own today."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kopdes.ledger.models import JournalEntry
from kopdes.loans import services, testing, verification
from kopdes.loans.errors import LoanError
from kopdes.loans.models import Loan, Repayment
from kopdes.platform.tenancy.models import Koperasi

pytestmark = pytest.mark.django_db


def _approved(koperasi, officers, applied_on=testing.DAY):
    from kopdes.savings.testing import active_member

    loan = services.apply_for_loan(
        active_member(koperasi),
        actor=officers["maker"],
        product=testing.product(koperasi, actor=officers["checker"]),
        principal=1_200_000_00,
        term=12,
        applied_on=applied_on,
    )
    return services.approve_loan(loan, actor=officers["checker"])


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (dt.date(9999, 12, 31), "di luar rentang"),
        ("tomorrow", "belum tiba"),
        ("after-application", "sebelum awal pembukuan"),
    ],
)
def test_a_disbursement_outside_the_bounds_is_refused(koperasi, officers, day, words):
    loan = _approved(koperasi, officers)
    if day == "tomorrow":
        day = koperasi.today() + dt.timedelta(days=1)
    if words == "sebelum awal pembukuan":  # the books start after the application
        day = loan.applied_on + dt.timedelta(days=10)
        Koperasi.objects.filter(pk=koperasi.pk).update(books_start=day + dt.timedelta(days=20))
        koperasi.refresh_from_db()
        loan = Loan.objects.get(pk=loan.pk)
    entries = JournalEntry.objects.filter(koperasi=koperasi).count()
    with pytest.raises(LoanError, match=words) as exc:
        services.disburse_loan(loan, actor=officers["payer"], date=day)
    assert exc.value.field == "date"
    assert Loan.objects.get(pk=loan.pk).disbursement_entry_id is None
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == entries


def test_a_repayment_before_the_disbursement_is_refused(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    with pytest.raises(LoanError, match="sebelum tanggal pencairan pinjaman") as exc:
        services.repay_loan(
            loan,
            actor=officers["kasir"],
            amount=100_000_00,
            date=loan.disbursed_on - dt.timedelta(days=1),
            idempotency_key="early",
        )
    assert exc.value.field == "date"
    assert not Repayment.objects.filter(loan=loan).exists()


def test_a_repayment_dated_tomorrow_is_refused(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    with pytest.raises(LoanError, match="belum tiba"):
        services.repay_loan(
            loan,
            actor=officers["kasir"],
            amount=100_000_00,
            date=koperasi.today() + dt.timedelta(days=1),
            idempotency_key="tomorrow",
        )
    assert not Repayment.objects.filter(loan=loan).exists()


def test_the_daily_job_refuses_a_day_after_today(koperasi, officers):
    testing.active_loan(koperasi, officers=officers)
    with pytest.raises(LoanError, match="belum tiba"):
        services.run_daily(koperasi, actor=None, as_of=koperasi.today() + dt.timedelta(days=1))
    tomorrow = (koperasi.today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(CommandError, match="belum tiba"):
        call_command("loans_daily", "--date", tomorrow, "--koperasi", koperasi.slug)


def test_the_daily_command_runs_on_the_koperasi_today(koperasi, officers):
    testing.active_loan(koperasi, officers=officers)
    out = io.StringIO()
    call_command("loans_daily", "--koperasi", koperasi.slug, stdout=out)
    assert f"{koperasi.slug} {koperasi.today().isoformat()}:" in out.getvalue()


def test_verify_reports_a_repayment_before_the_disbursement(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    services.repay_loan(
        loan,
        actor=officers["kasir"],
        amount=100_000_00,
        date=loan.disbursed_on + dt.timedelta(days=3),
        idempotency_key="ok",
    )
    assert verification.check_dates(koperasi).ok
    Loan.objects.filter(pk=loan.pk).update(disbursed_on=loan.disbursed_on + dt.timedelta(days=10))
    result = verification.check_dates(koperasi)
    assert not result.ok
    assert loan.number in result.problems[0] and "sebelum pencairan" in result.problems[0]


def test_an_application_dated_in_the_future_or_year_one_is_refused(koperasi, officers):
    from kopdes.savings.testing import active_member

    member = active_member(koperasi)
    prod = testing.product(koperasi, actor=officers["checker"])
    for day in (dt.date(1, 1, 1), koperasi.today() + dt.timedelta(days=1)):
        with pytest.raises(LoanError) as exc:
            services.apply_for_loan(
                member, actor=officers["maker"], product=prod, principal=100_000_00, term=3,
                applied_on=day,
            )  # fmt: skip
        assert exc.value.field == "applied_on"
    assert not Loan.objects.filter(koperasi=koperasi).exists()

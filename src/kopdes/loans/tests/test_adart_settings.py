"""Kolektibilitas buckets and PPAP rates come from the koperasi's AD/ART settings: the
daily job, the month-end PPAP posting and the aging report follow a change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kopdes.ledger.models import JournalEntry
from kopdes.loans import services, testing
from kopdes.platform.core.testing import login, make_user
from kopdes.platform.tenancy import services as tenancy

pytestmark = pytest.mark.django_db


def _set(koperasi, **changes):
    adart = {**koperasi.adart.to_json(), **changes}
    tenancy.update_adart(koperasi, actor=make_user("ketua", koperasi), adart=adart)


def test_a_changed_bucket_changes_the_class_on_the_next_run(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    # First installment due 2026-04-02; on 2026-06-15 the loan is 74 days late.
    day = dt.date(2026, 6, 15)
    services.run_daily(koperasi, actor=None, as_of=day, post_ppap=False)
    loan.refresh_from_db()
    assert (loan.dpd, loan.kolektibilitas) == (74, 2)  # DPK under the default 1-90
    assert loan.ppap_required == 36_000_00  # 3% of 1.200.000

    # The koperasi tightens DPK to 1-60 days and kurang lancar to 61-90.
    _set(koperasi, kol_dpk_max_days=60, kol_kurang_lancar_max_days=90)
    loan.refresh_from_db()
    assert loan.kolektibilitas == 2  # nothing moves until the job runs
    services.run_daily(koperasi, actor=None, as_of=day, post_ppap=False)
    loan.refresh_from_db()
    assert (loan.dpd, loan.kolektibilitas) == (74, 3)
    assert loan.ppap_required == 120_000_00  # 10% of 1.200.000


def test_changed_ppap_rates_drive_the_month_end_posting(koperasi, officers):
    testing.active_loan(koperasi, officers=officers)
    _set(koperasi, ppap_lancar_bp=100)  # 1% instead of 0,5% for lancar loans
    result = services.run_daily(koperasi, actor=None, as_of=dt.date(2026, 3, 31))
    assert result.ppap_required == 12_000_00
    entry = JournalEntry.objects.get(source="loans.ppap")
    assert entry.total_amount == 12_000_00
    assert services.allowance_balance(koperasi) == 12_000_00


def test_a_stored_setting_outside_the_rules_is_refused_by_the_service(koperasi):
    from kopdes.platform.core.errors import DomainError

    stored = dict(koperasi.adart_settings)
    with pytest.raises(DomainError) as exc:
        _set(koperasi, kol_dpk_max_days=200)  # above kurang lancar's 120
    assert exc.value.field == "adart.kol_kurang_lancar_max_days"
    koperasi.refresh_from_db()
    assert koperasi.adart_settings == stored


def test_aging_report_shows_the_koperasi_ranges_and_rates(client, koperasi, officers):
    testing.active_loan(koperasi, officers=officers)
    _set(koperasi, kol_dpk_max_days=60, kol_kurang_lancar_max_days=90, ppap_dpk_bp=250)
    c = login(client, officers["checker"])
    html = c.get(reverse("loans:report-aging", kwargs={"slug": koperasi.slug})).content.decode()
    assert "1-60" in html and "61-90" in html and "2,5%" in html

"""The daily job's PPAP (issue 13): lancar is a general reserve on the whole outstanding
less cash collateral only; DPK to macet the class rate on the outstanding less eligible
collateral (appraised value x the AD/ART factor of its binding); a write-off needs the
AD/ART's minimum class."""

from __future__ import annotations

import datetime as dt

import pytest

from kopdes.loans import services, testing
from kopdes.loans.errors import LoanError
from kopdes.loans.models import Loan, LoanProposal
from kopdes.platform.core.testing import make_user
from kopdes.platform.tenancy import services as tenancy
from kopdes.savings.testing import active_member

pytestmark = pytest.mark.django_db

DAY = testing.DAY  # 2 March 2026; installment 1 due 2 April


def _loan(koperasi, officers, *, value: int, binding: str) -> Loan:
    prod = testing.product(koperasi, actor=officers["checker"])
    loan = services.apply_for_loan(
        active_member(koperasi),
        actor=officers["maker"],
        product=prod,
        principal=1_200_000_00,
        term=12,
        applied_on=DAY,
        collateral_value=value,
        collateral_binding=binding,
    )
    services.approve_loan(loan, actor=officers["checker"])
    return services.disburse_loan(loan, actor=officers["payer"], date=DAY)


def _ppap(koperasi, loan, day: dt.date) -> tuple[int, int]:
    services.run_daily(koperasi, actor=None, as_of=day, post_ppap=False)
    loan.refresh_from_db()
    return loan.kolektibilitas, loan.ppap_required


LANCAR = dt.date(2026, 3, 31)
DPK = dt.date(2026, 5, 31)  # installment 1 is 59 days late


def test_land_under_hak_tanggungan_counts_80_percent_and_only_from_dpk(koperasi, officers):
    loan = _loan(koperasi, officers, value=1_000_000_00, binding="hak_tanggungan")
    # Lancar: 0,5% of the whole 1.200.000 (the collateral is not deducted; it used to be).
    assert _ppap(koperasi, loan, LANCAR) == (1, 6_000_00)
    # DPK: 3% of 1.200.000 less 80% of 1.000.000.
    assert _ppap(koperasi, loan, DPK) == (2, 12_000_00)


def test_blocked_savings_are_deducted_even_for_a_lancar_loan(koperasi, officers):
    loan = _loan(koperasi, officers, value=500_000_00, binding="cash")
    assert _ppap(koperasi, loan, LANCAR) == (1, 3_500_00)  # 0,5% of 700.000
    assert _ppap(koperasi, loan, DPK) == (2, 21_000_00)  # 3% of 700.000


def test_unbound_collateral_counts_nothing(koperasi, officers):
    loan = _loan(koperasi, officers, value=5_000_000_00, binding="none")
    assert _ppap(koperasi, loan, DPK) == (2, 36_000_00)  # 3% of 1.200.000


def test_the_ad_art_factor_changes_the_next_run(koperasi, officers):
    loan = _loan(koperasi, officers, value=1_000_000_00, binding="hak_tanggungan")
    assert _ppap(koperasi, loan, DPK) == (2, 12_000_00)
    adart = {**koperasi.adart.to_json(), "agunan_hak_tanggungan_bp": 5_000}
    tenancy.update_adart(koperasi, actor=make_user("ketua", koperasi), adart=adart)
    koperasi.refresh_from_db()
    assert _ppap(koperasi, loan, DPK) == (2, 21_000_00)  # 3% of 1.200.000 - 500.000


def test_a_binding_without_a_value_or_an_unknown_binding_is_refused(koperasi, officers):
    prod = testing.product(koperasi, actor=officers["checker"])
    member = active_member(koperasi)
    for value, binding, field in (
        (0, "fidusia", "collateral_value"),
        (1_000_00, "gadai", "collateral_binding"),
    ):
        with pytest.raises(LoanError) as caught:
            services.apply_for_loan(
                member,
                actor=officers["maker"],
                product=prod,
                principal=1_200_000_00,
                term=12,
                applied_on=DAY,
                collateral_value=value,
                collateral_binding=binding,
            )
        assert caught.value.field == field
    assert Loan.objects.count() == 0


def test_write_off_follows_the_ad_art_minimum_class(koperasi, officers):
    """Default macet; an AD/ART allowing diragukan lets a diragukan loan be proposed."""
    loan = _loan(koperasi, officers, value=0, binding="none")
    day = dt.date(2026, 8, 31)  # installment 1 is 151 days late: diragukan
    assert services.current_kolektibilitas(loan, day) == 4
    assert not services.can_write_off(loan, day)
    adart = {**koperasi.adart.to_json(), "write_off_min_kolektibilitas": 4}
    tenancy.update_adart(koperasi, actor=make_user("ketua", koperasi), adart=adart)
    loan = Loan.objects.get(pk=loan.pk)
    assert services.can_write_off(loan, day)
    adart = {**adart, "write_off_min_kolektibilitas": 5}
    tenancy.update_adart(koperasi, actor=make_user("ketua", koperasi), adart=adart)
    loan = Loan.objects.get(pk=loan.pk)
    assert not services.can_write_off(loan, day)
    assert LoanProposal.objects.count() == 0


def test_a_restructured_loan_keeps_the_collateral_and_its_binding(koperasi, officers):
    loan = _loan(koperasi, officers, value=1_000_000_00, binding="hak_tanggungan")
    proposal = services.propose_restructure(
        loan,
        actor=officers["maker"],
        reason="Gagal panen",
        term=18,
        rate_percent="1",
        start_date=dt.date(2026, 6, 1),
    )
    services.approve_proposal(proposal, actor=officers["checker"], date=dt.date(2026, 6, 1))
    new = Loan.objects.get(restructured_from=loan)
    assert (new.collateral_value, new.collateral_binding) == (1_000_000_00, "hak_tanggungan")
    # Kurang lancar from the start: 10% of 1.200.000 less 80% of 1.000.000.
    assert _ppap(koperasi, new, dt.date(2026, 6, 30)) == (3, 40_000_00)

"""The loans demo: every state and kolektibilitas class, the bank loan, books that verify."""

from __future__ import annotations

import pytest
from conftest import laptop_demo_only

from kopdes.ledger.verification import verify_books
from kopdes.loans.choices import LoanStatus
from kopdes.loans.models import BankLoan, Loan
from kopdes.loans.verification import check_loans
from kopdes.platform.tenancy.models import Koperasi

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@laptop_demo_only
def test_demo_has_loans_in_every_state_and_class(demo_apps):
    from kopdes.demo import build_demo

    demo_apps("ledger", "members", "savings", "loans")
    build_demo(seed=7)
    koperasi = Koperasi.objects.order_by("slug").first()
    statuses = set(Loan.objects.filter(koperasi=koperasi).values_list("status", flat=True))
    assert statuses == set(LoanStatus.values)
    classes = set(
        Loan.objects.filter(koperasi=koperasi, status=LoanStatus.ACTIVE).values_list(
            "kolektibilitas", flat=True
        )
    )
    assert classes == {1, 2, 3, 4, 5}
    assert BankLoan.objects.filter(koperasi=koperasi).exists()
    problems = [p for r in verify_books(koperasi) for p in r.problems]
    assert problems + check_loans(koperasi).problems == []

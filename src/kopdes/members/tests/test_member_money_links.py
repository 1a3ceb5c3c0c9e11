"""The member's page links to her savings accounts and loans (issue 13, part 7), for the
officers who may see them; another koperasi's member stays a 404."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from kopdes.platform.core.testing import login, make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (apps.is_installed("kopdes.savings") and apps.is_installed("kopdes.loans")),
        reason="savings and loans apps not installed",
    ),
]


def _detail(client, koperasi, member):
    return client.get(
        reverse("members:member-detail", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    )


def test_member_page_links_to_her_savings_and_loans(client, koperasi):
    from kopdes.loans.testing import active_loan
    from kopdes.savings.models import SavingsAccount
    from kopdes.savings.testing import voluntary_account

    account = voluntary_account(koperasi, balance=250_000_00)
    member = account.member
    loan = active_loan(koperasi, member=member)
    html = _detail(login(client, make_user("sekretaris", koperasi)), koperasi, member)
    html = html.content.decode()
    assert "Simpanan dan pinjaman" in html
    savings_page = reverse("savings:member", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    assert f'href="{savings_page}"' in html
    for acc in SavingsAccount.objects.filter(member=member):
        link = reverse(
            "savings:account", kwargs={"slug": koperasi.slug, "savings_account_id": acc.pk}
        )
        assert f'href="{link}"' in html and acc.number in html
    loan_page = reverse("loans:loan-detail", kwargs={"slug": koperasi.slug, "loan_id": loan.pk})
    assert f'href="{loan_page}"' in html and loan.number in html
    assert "250.000" in html


def test_a_member_without_savings_or_loans_is_said_so(client, koperasi):
    from kopdes.members.testing import make_member

    member = make_member(koperasi)
    html = _detail(login(client, make_user("sekretaris", koperasi)), koperasi, member)
    html = html.content.decode()
    assert "Belum ada rekening simpanan." in html and "Belum ada pinjaman." in html


def test_another_koperasis_member_page_is_404(client, koperasi, other_koperasi):
    from kopdes.members.testing import make_member

    foreign = make_member(other_koperasi)
    response = _detail(login(client, make_user("sekretaris", koperasi)), koperasi, foreign)
    assert response.status_code == 404

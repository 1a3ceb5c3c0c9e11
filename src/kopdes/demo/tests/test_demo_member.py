"""The demo member login ``anggota.sukamaju`` is a real member with savings and a loan: her
"My membership" and "My loans" pages show her own data (they answered 404 before)."""

from __future__ import annotations

import pytest
from conftest import laptop_demo_only
from django.apps import apps
from django.urls import reverse

from kopdes.members.models import Member
from kopdes.platform.identity.models import User

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (apps.is_installed("kopdes.savings") and apps.is_installed("kopdes.loans")),
        reason="the member's savings and loan come from the savings and loans apps",
    ),
]


@laptop_demo_only
def test_demo_member_login_is_a_member_with_savings_and_a_loan(client, demo_apps):
    from kopdes.demo import build_demo
    from kopdes.loans.choices import LoanStatus
    from kopdes.loans.models import Loan
    from kopdes.savings.selectors import list_member_accounts

    demo_apps("ledger", "members", "savings", "loans")
    result = build_demo(seed=7)
    printed = {x.username: x.full_name for x in result.logins}
    for slug in ("sukamaju", "cirahab"):
        user = User.objects.get(username=f"anggota.{slug}")
        member = Member.objects.get(koperasi__slug=slug, user=user)
        assert user.full_name == member.full_name == printed[f"anggota.{slug}"]
        assert sum(a.balance for a in list_member_accounts(member)) > 0
        assert Loan.objects.filter(member=member, status=LoanStatus.ACTIVE).exists()
    client.force_login(User.objects.get(username="anggota.sukamaju"))
    member = Member.objects.get(koperasi__slug="sukamaju", user__username="anggota.sukamaju")
    for name in ("portal:home", "portal:passbook", "loans_portal:home"):
        response = client.get(reverse(name, kwargs={"slug": "sukamaju"}))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert 'data-testid="portal-no-member"' not in html
    home = client.get(reverse("portal:home", kwargs={"slug": "sukamaju"})).content.decode()
    assert member.full_name in home and member.number in home
    # Running the demo again changes nothing.
    build_demo(seed=7)
    assert Member.objects.get(pk=member.pk).user.username == "anggota.sukamaju"

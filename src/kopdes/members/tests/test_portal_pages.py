"""The member portal for a first-time member: a login without a member record gets a plain
explanation (not a 404), the passbook shows every movement a page at a time with the total,
and a login made by hand can be linked to its member (the demo's ``anggota.<slug>``)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from kopdes.members import services
from kopdes.members.choices import MemberStatus
from kopdes.members.models import Member
from kopdes.members.testing import make_member
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import ConflictError, DomainError, PermissionDeniedError
from kopdes.platform.core.testing import make_user

pytestmark = pytest.mark.django_db
needs_savings = pytest.mark.skipif(
    not apps.is_installed("kopdes.savings"), reason="savings app not installed"
)
needs_loans = pytest.mark.skipif(
    not apps.is_installed("kopdes.loans"), reason="loans app not installed"
)


@pytest.mark.parametrize(
    "name", ["portal:home", "portal:passbook", "portal:correction", "portal:export"]
)
def test_login_without_member_record_sees_a_plain_explanation(client, koperasi, name):
    user = make_user("anggota", koperasi, with_totp=False)
    client.force_login(user)
    response = client.get(reverse(name, kwargs={"slug": koperasi.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="portal-no-member"' in html
    assert "belum terhubung dengan anggota" in html and koperasi.name in html
    assert reverse("portal:activate") in html


@needs_loans
@pytest.mark.parametrize("name", ["loans_portal:home", "loans_portal:apply"])
def test_loans_portal_without_member_record_explains_too(client, koperasi, name):
    client.force_login(make_user("anggota", koperasi, with_totp=False))
    response = client.get(reverse(name, kwargs={"slug": koperasi.slug}))
    assert response.status_code == 200
    assert 'data-testid="portal-no-member"' in response.content.decode()


def test_member_of_another_koperasi_still_gets_404(client, koperasi, other_koperasi):
    client.force_login(make_user("anggota", koperasi, with_totp=False))
    response = client.get(reverse("portal:home", kwargs={"slug": other_koperasi.slug}))
    assert response.status_code == 404


@needs_savings
def test_portal_passbook_shows_every_movement_paginated_and_the_total(client, koperasi):
    from kopdes.ledger.testing import with_books
    from kopdes.savings import services as savings
    from kopdes.savings.choices import SavingsKind

    with_books(koperasi)
    kasir = make_user("kasir", koperasi)
    member = make_member(koperasi)
    today = timezone.localdate()
    savings.pay_principal(member, actor=kasir, date=today, idempotency_key="pokok")
    member.refresh_from_db()
    account = savings.open_account(member, actor=kasir, kind=SavingsKind.VOLUNTARY, date=today)
    for n in range(1, 31):  # 30 deposits of Rp 9.483.609 .. : long figures on a phone
        savings.deposit(
            account,
            actor=kasir,
            amount=9_483_609_00 + n,
            date=today,
            idempotency_key=f"dep-{n}",
        )
    code = services.issue_portal_code(member, actor=kasir, at=timezone.now())
    user = services.activate_portal(
        koperasi, number=member.number, code=code, password="Rahasia-Anggota-77", at=timezone.now()
    )
    client.force_login(user)
    home = client.get(reverse("portal:home", kwargs={"slug": koperasi.slug})).content.decode()
    total = 50_000_00 + sum(9_483_609_00 + n for n in range(1, 31))
    from kopdes.ledger.templatetags.ledger_tags import rupiah

    assert rupiah(total) in home  # the total of all accounts
    assert 'data-testid="portal-passbook-link"' in home
    url = reverse("portal:passbook", kwargs={"slug": koperasi.slug})
    first = client.get(url).content.decode()
    assert rupiah(total) in first
    assert first.count('data-label="Saldo"') == 25
    assert "Halaman 1 dari 2" in first
    assert rupiah(total) in first  # newest first: the last balance is on page 1
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('data-label="Saldo"') == 6  # 31 movements: pokok + 30 deposits
    assert rupiah(50_000_00) in second  # the oldest, the simpanan pokok, is last
    # Each amount cell is marked to stay on one line.
    assert 'class="num amount" data-label="Masuk"' in first


def test_link_portal_user_links_an_anggota_login_and_audits(koperasi):
    sekretaris = make_user("sekretaris", koperasi)
    member = make_member(koperasi, full_name="Euis Maryani")
    user = make_user("anggota", koperasi, with_totp=False)
    services.link_portal_user(member, user=user, actor=sekretaris)
    member.refresh_from_db()
    user.refresh_from_db()
    assert member.user_id == user.pk
    assert user.full_name == "Euis Maryani"
    event = AuditEvent.objects.get(action="members.portal.linked")
    assert event.summary["number"] == member.number
    # Again: nothing changes, nothing more is written.
    services.link_portal_user(member, user=user, actor=sekretaris)
    assert AuditEvent.objects.filter(action="members.portal.linked").count() == 1


def test_link_portal_user_refusals_write_nothing(koperasi, other_koperasi):
    sekretaris = make_user("sekretaris", koperasi)
    member = make_member(koperasi)
    other_member = make_member(koperasi)
    anggota = make_user("anggota", koperasi, with_totp=False)
    outsider = make_user("anggota", other_koperasi, with_totp=False)
    officer = make_user("kasir", koperasi)
    with pytest.raises(DomainError, match="bukan akun anggota"):
        services.link_portal_user(member, user=outsider, actor=sekretaris)
    with pytest.raises(DomainError, match="bukan akun anggota"):
        services.link_portal_user(member, user=officer, actor=sekretaris)
    with pytest.raises(PermissionDeniedError):
        services.link_portal_user(member, user=anggota, actor=make_user("pengawas", koperasi))
    services.link_portal_user(member, user=anggota, actor=sekretaris)
    with pytest.raises(ConflictError, match="sudah milik anggota lain"):
        services.link_portal_user(other_member, user=anggota, actor=sekretaris)
    second = make_user("anggota", koperasi, with_totp=False)
    with pytest.raises(ConflictError, match="sudah punya akun portal"):
        services.link_portal_user(member, user=second, actor=sekretaris)
    left = make_member(koperasi)
    Member.objects.filter(pk=left.pk).update(status=MemberStatus.RESIGNED)
    left.refresh_from_db()
    with pytest.raises(DomainError):
        services.link_portal_user(left, user=second, actor=sekretaris)
    assert Member.objects.filter(koperasi=koperasi, user=second).count() == 0
    assert AuditEvent.objects.filter(action="members.portal.linked").count() == 1

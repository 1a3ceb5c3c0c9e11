"""With the savings app: pokok activates, the portal shows balances, exit settles."""

import datetime as dt

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from kopdes.ledger.testing import with_books
from kopdes.members import services
from kopdes.members.choices import MemberStatus
from kopdes.members.testing import make_member
from kopdes.platform.core import verification
from kopdes.platform.core.testing import make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not apps.is_installed("kopdes.savings"), reason="savings app not installed"),
]
NOW = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


def _pay_pokok(koperasi, member, kasir):
    from kopdes.savings import services as savings

    return savings.pay_principal(
        member, actor=kasir, date=dt.date(2026, 2, 2), idempotency_key=f"pokok-{member.pk}"
    )


def test_pokok_activates_and_portal_shows_the_balance(client, koperasi):
    with_books(koperasi)
    member = make_member(koperasi)
    kasir = make_user("kasir", koperasi)
    _pay_pokok(koperasi, member, kasir)
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE and member.joined_on == dt.date(2026, 2, 2)
    code = services.issue_portal_code(member, actor=kasir, at=timezone.now())
    user = services.activate_portal(
        koperasi, number=member.number, code=code, password="Rahasia-Anggota-77", at=timezone.now()
    )
    client.force_login(user)
    html = client.get(reverse("portal:home", kwargs={"slug": koperasi.slug})).content.decode()
    assert "50.000" in html


def test_approved_exit_settles_savings_and_books_verify(koperasi):
    with_books(koperasi)
    member = make_member(koperasi)
    _pay_pokok(koperasi, member, make_user("kasir", koperasi))
    proposal = services.propose_exit(
        member, actor=make_user("sekretaris", koperasi), to_status="berhenti",
        reason="Pindah", effective_on=dt.date(2026, 3, 2), at=NOW,
    )  # fmt: skip
    services.approve_exit(proposal, actor=make_user("ketua", koperasi), at=NOW)
    from kopdes.platform.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="savings.exit.settled").count() == 1
    member.refresh_from_db()
    services.anonymise_member(member, actor=make_user("ketua", koperasi), at=NOW)
    results = verification.run_all(koperasi)
    assert all(r.ok for r in results), [(r.name, r.problems) for r in results if not r.ok]

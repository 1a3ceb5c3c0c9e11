"""The demo builds two koperasi with every role, through the services, repeatably."""

from __future__ import annotations

import random

import pytest
from conftest import laptop_demo_only
from django_otp.plugins.otp_totp.models import TOTPDevice

from kopdes import demo
from kopdes.demo.build import ROLE_ORDER, officer_names
from kopdes.demo.data import CIRAHAB, SUKAMAJU
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.identity.choices import KOPERASI_ROLES, OFFICER_ROLES, Role
from kopdes.platform.identity.models import RoleAssignment, User
from kopdes.platform.identity.selectors import koperasi_for, roles_for
from kopdes.platform.tenancy.models import Koperasi

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_our_extensions(request, monkeypatch):
    """The mechanics are tested without the apps' extensions (members, savings ...): they
    are slow, and a broken one must fail its own test (below), not every test here."""
    if getattr(request.function, "with_app_extensions", False):
        return
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("demo")  # import them now, so build_demo adds nothing later
    monkeypatch.setattr(demo, "EXTENSIONS", [])


def test_demo_creates_two_koperasi_in_their_villages():
    result = demo.build_demo()
    by_slug = {k.slug: k for k in Koperasi.objects.all()}
    assert set(by_slug) == {"sukamaju", "cirahab"}
    assert by_slug["sukamaju"].name == "Koperasi Desa Merah Putih Sukamaju"
    assert by_slug["sukamaju"].region_code == "32.01.26.2001"
    assert by_slug["cirahab"].name == "Koperasi Desa Merah Putih Cirahab"
    assert by_slug["cirahab"].region_code == "33.02.01.2001"
    assert result.created == ["sukamaju", "cirahab"]


def test_demo_has_an_officer_for_every_role_in_each_koperasi():
    demo.build_demo()
    for koperasi in Koperasi.objects.all():
        roles = set(
            RoleAssignment.objects.filter(koperasi=koperasi, revoked_at__isnull=True).values_list(
                "role", flat=True
            )
        )
        assert roles == {r.value for r in KOPERASI_ROLES}


def test_demo_cross_roles_see_the_right_koperasi():
    demo.build_demo()
    sukamaju = Koperasi.objects.get(slug="sukamaju")
    cirahab = Koperasi.objects.get(slug="cirahab")
    pendamping = User.objects.get(username="pendamping.jabar")
    dinas = User.objects.get(username="dinas.bogor")
    assert set(koperasi_for(pendamping)) == {sukamaju}
    assert roles_for(dinas, sukamaju) == {Role.DINAS}
    assert roles_for(dinas, cirahab) == frozenset()
    assert set(koperasi_for(User.objects.get(username="kementerian"))) == {sukamaju, cirahab}
    assert roles_for(User.objects.get(username="admin"), cirahab) == {Role.ADMIN}


def test_every_officer_has_a_confirmed_authenticator_and_the_printed_password_works():
    result = demo.build_demo()
    for login in result.logins:
        user = User.objects.get(username=login.username)
        assert user.check_password(login.password), login.username
        has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        is_officer = login.role != Role.ANGGOTA
        assert has_device == is_officer, login.username
    assert result.treasurer.username == "bendahara.sukamaju"
    assert Role(result.treasurer.role) == Role.BENDAHARA
    assert all(Role(x.role) in OFFICER_ROLES for x in result.logins if x.two_factor)


def test_demo_is_made_through_services_with_audit_events():
    demo.build_demo()
    for koperasi in Koperasi.objects.all():
        actions = list(
            AuditEvent.objects.filter(koperasi=koperasi).values_list("action", flat=True)
        )
        assert actions.count("tenancy.koperasi.created") == 1
        assert actions.count("identity.role.granted") == len(KOPERASI_ROLES)
    assert (
        AuditEvent.objects.filter(action="identity.totp.confirmed").count()
        == 2 * len(OFFICER_ROLES & KOPERASI_ROLES) + 4
    )


def test_running_the_demo_twice_does_not_duplicate_anything():
    first = demo.build_demo()
    counts = (Koperasi.objects.count(), User.objects.count(), AuditEvent.objects.count())
    second = demo.build_demo()
    assert (Koperasi.objects.count(), User.objects.count(), AuditEvent.objects.count()) == counts
    assert second.created == []
    assert [x.username for x in second.logins] == [x.username for x in first.logins]


def test_names_are_seeded_local_and_distinct():
    assert officer_names(2026, SUKAMAJU) == officer_names(2026, SUKAMAJU)
    assert officer_names(2026, SUKAMAJU) != officer_names(7, SUKAMAJU)
    names = officer_names(2026, CIRAHAB)
    assert len(set(names.values())) == len(ROLE_ORDER)
    assert all(n.split()[0] in CIRAHAB.given_names for n in names.values())


def test_demo_users_carry_the_seeded_names():
    demo.build_demo(seed=99)
    names = officer_names(99, SUKAMAJU)
    assert User.objects.get(username="ketua.sukamaju").full_name == names[Role.KETUA]


def test_extensions_run_once_per_new_koperasi_with_a_seeded_rng():
    calls: list[tuple[str, float]] = []

    def extension(koperasi, rng):
        assert isinstance(rng, random.Random)
        calls.append((koperasi.slug, rng.random()))

    demo.EXTENSIONS.append(extension)
    try:
        demo.build_demo()
        demo.build_demo()
    finally:
        demo.EXTENSIONS.remove(extension)
    assert [slug for slug, _ in calls] == ["sukamaju", "cirahab"]
    expected = demo.extension_rng(2026, "sukamaju", extension).random()
    assert calls[0][1] == expected


def test_a_failing_extension_leaves_no_half_built_demo():
    def broken(koperasi, rng):
        raise RuntimeError("extension failed")

    demo.EXTENSIONS.append(broken)
    try:
        with pytest.raises(RuntimeError):
            demo.build_demo()
    finally:
        demo.EXTENSIONS.remove(broken)
    assert Koperasi.objects.count() == 0
    assert User.objects.count() == 0


@pytest.mark.slow
@laptop_demo_only
def test_the_full_demo_with_every_app_extension_builds_and_is_idempotent():
    """Every app's demo.py together: this is what ``kopdes demo`` runs."""
    demo.build_demo()
    counts = (Koperasi.objects.count(), User.objects.count(), AuditEvent.objects.count())
    demo.build_demo()
    assert (Koperasi.objects.count(), User.objects.count(), AuditEvent.objects.count()) == counts


test_the_full_demo_with_every_app_extension_builds_and_is_idempotent.with_app_extensions = True

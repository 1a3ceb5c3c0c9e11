import pytest
from conftest import laptop_demo_only

from kopdes.demo import build_demo
from kopdes.domain.nik import Sex, check_nik_matches, parse_nik
from kopdes.members.models import Member

pytestmark = pytest.mark.django_db(transaction=False)


@laptop_demo_only
def test_demo_registers_members_in_their_own_village(demo_apps):
    demo_apps("members")
    build_demo()
    suka = Member.objects.filter(koperasi__slug="sukamaju")
    assert suka.count() >= 300
    assert Member.objects.filter(koperasi__slug="cirahab").count() >= 80
    for member in list(suka[:40]):
        info = parse_nik(member.nik)
        check_nik_matches(info, member.birth_date, Sex(member.sex), as_of=member.registered_on)
        assert member.region_code == "32.01.26.2001" and member.nik.startswith("320126")
        assert member.phone.startswith("+628")

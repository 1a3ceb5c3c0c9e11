"""The POS's member field takes the member card's QR code (a USB scanner types the payload
as keyboard input) as well as the member number; another koperasi's card, a changed card
or an inactive member is refused with a clear message and the cart keeps no member."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopdes.members.services import member_card_payload
from kopdes.platform.core.testing import login
from kopdes.savings.testing import active_member
from kopdes.store.models import Sale
from kopdes.store.testing import on_shift
from kopdes.store.tests.test_pos_pages import _stocked

pytestmark = pytest.mark.django_db


def _url(name, koperasi):
    return reverse(f"store:{name}", kwargs={"slug": koperasi.slug})


def _cart_member(client, koperasi) -> str:
    return client.session[f"pos:{koperasi.pk}"]["member"]


def test_the_scanned_card_sets_the_member_and_her_price(client, koperasi):
    oil = _stocked(koperasi)
    member = active_member(koperasi)
    payload = member_card_payload(member)  # exactly what the card's QR code holds
    assert payload.startswith("KOPDES-A1|") and member.number in payload
    login(client, on_shift(koperasi))
    # The scanner types the payload then Enter (a trailing CR/LF is stripped).
    page = client.post(_url("pos", koperasi), {"action": "member", "member": payload + "\r\n"})
    assert page.status_code == 302
    assert _cart_member(client, koperasi) == member.number
    body = client.get(_url("pos", koperasi)).content.decode()
    assert member.full_name in body
    client.post(_url("pos", koperasi), {"action": "add", "code": oil.name})
    client.post(_url("pos-pay", koperasi), {"action": "confirm", "cash": "17.500"})
    sale = Sale.objects.get(koperasi=koperasi)
    assert sale.member == member and sale.total == 17_500_00  # the member price


def test_the_member_number_still_works(client, koperasi):
    member = active_member(koperasi)
    login(client, on_shift(koperasi))
    client.post(_url("pos", koperasi), {"action": "member", "member": member.number})
    assert _cart_member(client, koperasi) == member.number


def test_another_koperasi_card_is_refused_clearly(client, koperasi, other_koperasi):
    stranger = active_member(other_koperasi)
    login(client, on_shift(koperasi))
    page = client.post(
        _url("pos", koperasi),
        {"action": "member", "member": member_card_payload(stranger)},
        follow=True,
    )
    assert "anggota koperasi lain" in page.content.decode()
    assert _cart_member(client, koperasi) == ""


def test_a_changed_or_foreign_card_is_refused(client, koperasi):
    member = active_member(koperasi)
    payload = member_card_payload(member)
    prefix, kid, _number, signature = payload.split("|")
    login(client, on_shift(koperasi))
    forged = "|".join([prefix, kid, "9999", signature])  # another number, same signature
    page = client.post(_url("pos", koperasi), {"action": "member", "member": forged}, follow=True)
    assert "tanda tangan kartu tidak sah" in page.content.decode().lower()
    page = client.post(
        _url("pos", koperasi), {"action": "member", "member": "OTHER|x|1|y"}, follow=True
    )
    assert "bukan kartu anggota kopdes" in page.content.decode().lower()
    assert _cart_member(client, koperasi) == ""


def test_an_inactive_member_card_is_refused(client, koperasi):
    from kopdes.members.testing import make_member

    pending = make_member(koperasi)  # registered, simpanan pokok not paid: not active
    assert not pending.is_active
    login(client, on_shift(koperasi))
    page = client.post(
        _url("pos", koperasi),
        {"action": "member", "member": member_card_payload(pending)},
        follow=True,
    )
    assert "tidak ditemukan atau tidak aktif" in page.content.decode()
    assert _cart_member(client, koperasi) == ""


def test_the_card_scanned_into_the_scan_field_sets_the_member(client, koperasi, other_koperasi):
    """At the counter the focus sits in the scan field: a scanned card names the member
    there too (a barcode never holds "|"), with the same refusals."""
    member = active_member(koperasi)
    login(client, on_shift(koperasi))
    client.post(_url("pos", koperasi), {"action": "add", "code": member_card_payload(member)})
    assert _cart_member(client, koperasi) == member.number
    assert client.session[f"pos:{koperasi.pk}"]["lines"] == []
    stranger = active_member(other_koperasi)
    page = client.post(
        _url("pos", koperasi),
        {"action": "add", "code": member_card_payload(stranger)},
        follow=True,
    )
    assert "anggota koperasi lain" in page.content.decode()
    assert _cart_member(client, koperasi) == member.number  # unchanged

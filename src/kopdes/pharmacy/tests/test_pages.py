"""The apotek's pages: who may open them, the licence warning, the pharmacist and drug
forms, receiving a batch (checked in words, then confirmed once), the expiry lists, the
point of sale asking for the prescription, the SIPNAP page and its XLSX read back."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kopdes.pharmacy.models import Batch, DrugInfo, Pharmacist, Prescription
from kopdes.pharmacy.reports import COLUMNS
from kopdes.pharmacy.testing import appoint, make_drug, receive
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.testing import login, make_koperasi, make_user
from kopdes.platform.web.navigation import navigation_for
from kopdes.store.models import Sale, StockPosition
from kopdes.store.testing import on_shift

pytestmark = pytest.mark.django_db


def _url(name, koperasi, **kwargs):
    return reverse(f"pharmacy:{name}", kwargs={"slug": koperasi.slug, **kwargs})


def _days(koperasi, n):
    return koperasi.today() + dt.timedelta(days=n)


@pytest.mark.parametrize(
    ("role", "home", "manage", "receive_page"),
    [
        ("ketua", 200, 200, 403),
        ("pengawas", 200, 403, 403),
        ("bendahara", 200, 403, 200),
        ("manajer", 200, 200, 200),
        ("kasir", 200, 403, 403),
        ("petugas_pinjaman", 403, 403, 403),
        ("anggota", 403, 403, 403),
    ],
)
def test_who_may_open_the_apotek_pages(client, koperasi, role, home, manage, receive_page):
    drug = make_drug(koperasi, "Parasetamol 500 mg")
    login(client, make_user(role, koperasi))
    assert client.get(_url("home", koperasi)).status_code == home
    assert client.get(_url("batch-list", koperasi)).status_code == home
    assert client.get(_url("sipnap", koperasi)).status_code == home
    assert client.get(_url("drug-edit", koperasi, item_id=drug.pk)).status_code == manage
    assert client.post(_url("pharmacist-appoint", koperasi), {}).status_code in (
        {manage} if manage == 403 else {400}
    )
    assert client.get(_url("receive", koperasi)).status_code == receive_page
    labels = [e["url_name"] for e in navigation_for(koperasi, [role])]
    assert ("pharmacy:home" in labels) == (home == 200)


def test_the_licence_warning_shows_on_every_apotek_page(client, koperasi):
    make_drug(koperasi, "Parasetamol 500 mg")
    login(client, make_user("manajer", koperasi))
    page = client.get(_url("home", koperasi)).content.decode()
    assert "Belum ada apoteker penanggung jawab" in page
    appoint(koperasi, expires_on=_days(koperasi, 20))
    page = client.get(_url("batch-list", koperasi)).content.decode()
    assert 'data-testid="licence-warning"' in page and "20 hari lagi" in page
    Pharmacist.objects.filter(koperasi=koperasi).update(sipa_expires_on=_days(koperasi, -1))
    page = client.get(_url("sipnap", koperasi)).content.decode()
    assert "kedaluwarsa sejak" in page
    Pharmacist.objects.filter(koperasi=koperasi).update(sipa_expires_on=_days(koperasi, 31))
    assert (
        'data-testid="licence-warning"' not in client.get(_url("home", koperasi)).content.decode()
    )


def test_the_pharmacist_form_records_her_and_refuses_a_missing_licence(client, koperasi):
    login(client, make_user("ketua", koperasi))
    bad = client.post(
        _url("pharmacist-appoint", koperasi),
        {"name": "apt. Rina Marlina", "sipa_number": "", "sipa_expires_on": "31-12-2027"},
    )
    assert bad.status_code == 400
    assert bad.context["form"].errors["sipa_number"]
    assert not Pharmacist.objects.filter(koperasi=koperasi).exists()
    expiry = _days(koperasi, 700).strftime("%d-%m-%Y")
    done = client.post(
        _url("pharmacist-appoint", koperasi),
        {"name": "apt. Rina Marlina", "sipa_number": "503/SIPA/01/2025", "sipa_expires_on": expiry},
    )
    assert done.status_code == 302
    page = client.get(_url("pharmacist", koperasi)).content.decode()
    assert "apt. Rina Marlina" in page and "503/SIPA/01/2025" in page


def test_the_drug_form_sets_the_class(client, koperasi):
    drug = make_drug(koperasi, "Amoksisilin 500 mg")
    login(client, make_user("manajer", koperasi))
    response = client.post(
        _url("drug-edit", koperasi, item_id=drug.pk),
        {"drug_class": "keras", "dosage_form": "kapsul", "strength": "500 mg"},
    )
    assert response.status_code == 302
    info = DrugInfo.objects.get(item=drug)
    assert info.requires_prescription and info.dosage_form == "kapsul"


def test_receiving_a_batch_is_checked_in_words_then_posted_once(client, koperasi):
    drug = make_drug(koperasi, "Parasetamol 500 mg")
    login(client, make_user("manajer", koperasi))
    form = {
        "item": str(drug.pk),
        "batch_number": "PCT2612",
        "expires_on": "ED 12/2027",
        "quantity": "100",
        "cost": "300.000",
        "key": "k-1",
        "action": "review",
    }
    review = client.post(_url("receive", koperasi), form)
    assert "tiga ratus ribu rupiah" in review.content.decode().lower()
    assert not Batch.objects.filter(koperasi=koperasi).exists()
    checked = review.context["review"]["checked"]
    # A confirmation of what was not checked (another cost typed) is shown again, unposted.
    other = client.post(
        _url("receive", koperasi),
        {**form, "cost": "30.000", "action": "confirm", "checked": checked},
    )
    assert other.status_code == 200 and "tiga puluh ribu rupiah" in other.content.decode().lower()
    assert not Batch.objects.filter(koperasi=koperasi).exists()
    confirm = {**form, "action": "confirm", "checked": checked}
    done = client.post(_url("receive", koperasi), confirm)
    assert done.status_code == 302
    again = client.post(_url("receive", koperasi), confirm)
    assert again.status_code == 302  # the same key: the first receipt, not a second
    batch = Batch.objects.get(koperasi=koperasi)
    assert (batch.batch_number, batch.expires_on, batch.quantity) == (
        "PCT2612",
        dt.date(2027, 12, 31),
        100,
    )
    assert StockPosition.objects.get(item=drug).quantity == 100


def test_a_receipt_with_a_past_expiry_is_refused_on_the_page(client, koperasi):
    drug = make_drug(koperasi, "Parasetamol 500 mg")
    login(client, make_user("manajer", koperasi))
    past = _days(koperasi, -3).strftime("%d-%m-%Y")
    form = {
        "item": str(drug.pk),
        "batch_number": "OLD1",
        "expires_on": past,
        "quantity": "10",
        "cost": "30.000",
        "key": "k-2",
        "action": "review",
    }
    checked = client.post(_url("receive", koperasi), form).context["review"]["checked"]
    response = client.post(
        _url("receive", koperasi), {**form, "action": "confirm", "checked": checked}
    )
    assert response.status_code == 400
    assert "sudah lewat" in response.content.decode()
    assert not Batch.objects.filter(koperasi=koperasi).exists()
    assert not StockPosition.objects.filter(item=drug).exists()


def test_the_expiry_lists(client, koperasi):
    drug = make_drug(koperasi, "Oralit")
    receive(koperasi, drug, "SOON", _days(koperasi, 1), 5)
    receive(koperasi, drug, "NEAR", _days(koperasi, 60), 5)
    receive(koperasi, drug, "FAR", _days(koperasi, 400), 5)
    login(client, make_user("kasir", koperasi))
    # Three days on, SOON is expired; NEAR is within 90 days, FAR is not.
    from unittest import mock

    later = _days(koperasi, 3)
    with mock.patch.object(type(koperasi), "today", lambda self: later):
        page = client.get(_url("batch-list", koperasi)).content.decode()
        expired = page.split('data-testid="expired-table"')[1].split("</table>")[0]
        near = page.split('data-testid="near-table"')[1].split("</table>")[0]
        assert "SOON" in expired and "NEAR" not in expired
        assert "NEAR" in near and "FAR" not in near and "SOON" not in near
        wider = client.get(_url("batch-list", koperasi), {"hari": "500"}).content.decode()
        assert "FAR" in wider.split('data-testid="near-table"')[1].split("</table>")[0]
        bad = client.get(_url("batch-list", koperasi), {"hari": "abc"})
        assert bad.status_code == 400


def test_the_point_of_sale_asks_for_the_prescription(client, koperasi):
    appoint(koperasi)
    amox = make_drug(koperasi, "Amoksisilin 500 mg", drug_class="keras", dosage_form="kapsul")
    receive(koperasi, amox, "AMX1", _days(koperasi, 300), 30)
    login(client, on_shift(koperasi))
    pos = reverse("store:pos", kwargs={"slug": koperasi.slug})
    asked = client.post(pos, {"action": "add", "code": "Amoksisilin", "quantity": "10"})
    body = asked.content.decode()
    assert asked.status_code == 200 and 'data-testid="pos-ask"' in body
    assert "Nomor resep" in body
    # Sent without the number: asked again, nothing in the cart.
    again = client.post(
        pos, {"action": "add", "item_id": str(amox.pk), "quantity": "10", "asked": "1"}
    )
    assert "isi Nomor resep." in again.content.decode()
    assert 'data-testid="pos-extras"' not in client.get(pos).content.decode()
    # The number typed, the prescriber not: asked again, the focus on the prescriber.
    half = client.post(
        pos,
        {
            "action": "add",
            "item_id": str(amox.pk),
            "quantity": "10",
            "asked": "1",
            "prescription_number": "R/2026/0012",
        },
    ).content.decode()
    assert 'autofocus data-testid="pos-ask-prescriber_name"' in half
    assert 'value="R/2026/0012"' in half
    done = client.post(
        pos,
        {
            "action": "add",
            "item_id": str(amox.pk),
            "quantity": "10",
            "asked": "1",
            "prescription_number": "R/2026/0012",
            "prescriber_name": "dr. Asep Saepudin",
        },
    )
    assert done.status_code == 302
    assert "R/2026/0012" in client.get(pos).content.decode()
    pay = reverse("store:pos-pay", kwargs={"slug": koperasi.slug})
    client.post(pay, {"action": "confirm", "cash": "50.000"})
    sale = Sale.objects.get(koperasi=koperasi)
    rx = Prescription.objects.get(sale=sale)
    assert (rx.number, rx.prescriber) == ("R/2026/0012", "dr. Asep Saepudin")
    assert Batch.objects.get(item=amox).quantity == 20


def test_the_sipnap_page_and_its_xlsx_read_back(client, koperasi):
    appoint(koperasi, name="apt. Rina Marlina")
    diaz = make_drug(koperasi, "Diazepam 2 mg", drug_class="psikotropika", strength="2 mg")
    make_drug(koperasi, "Parasetamol 500 mg")  # not reported
    today = koperasi.today()
    receive(koperasi, diaz, "DZ1", _days(koperasi, 500), 100)
    from kopdes.domain.sale import Payment
    from kopdes.store import services as store

    store.checkout(
        koperasi, actor=make_user("kasir", koperasi),
        lines=[{"item": diaz, "quantity": 30, "prescription_number": "R-9",
                "prescriber_name": "dr. Asep"}],
        payments=[Payment("cash", 150_000_00)], idempotency_key="dz",
    )  # fmt: skip
    login(client, make_user("pengawas", koperasi))
    month = today.strftime("%m-%Y")
    page = client.get(_url("sipnap", koperasi), {"bulan": month})
    body = page.content.decode()
    assert page.status_code == 200 and "Diazepam 2 mg" in body and "Parasetamol" not in body
    assert client.get(_url("sipnap", koperasi), {"bulan": "13-2026"}).status_code == 400
    response = client.get(_url("sipnap-export", koperasi), {"bulan": month})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["SIPNAP"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 2
    row = dict(zip(COLUMNS, rows[1], strict=True))
    assert row["Nama obat"] == "Diazepam 2 mg" and row["Golongan"] == "Psikotropika"
    assert (row["Stok awal"], row["Pemasukan"], row["Pengeluaran untuk resep"]) == (0, 100, 30)
    assert row["Stok akhir"] == 70 and row["Batch (kedaluwarsa) di akhir bulan"].startswith("DZ1")
    info = dict(wb["Keterangan"].iter_rows(values_only=True))
    assert info["Apoteker penanggung jawab"] == "apt. Rina Marlina"
    assert AuditEvent.objects.filter(action="pharmacy.sipnap.exported").count() == 1
    # The next month opens with this month's closing stock.
    nxt = (today.replace(day=28) + dt.timedelta(days=5)).strftime("%m-%Y")
    later = client.get(_url("sipnap", koperasi), {"bulan": nxt}).content.decode()
    assert '<td data-testid="sipnap-closing">70</td>' in later


def test_no_apotek_page_serves_another_koperasi(client, koperasi):
    """Every route of the app, as koperasi A's officer holding every role: B's slug, and
    A's slug with B's drug or batch, answer 404 (the harness in tests/ walks them too)."""
    from kopdes.platform.identity.choices import KOPERASI_ROLES
    from kopdes.platform.identity.models import RoleAssignment

    other = make_koperasi("kop-b")
    drug = make_drug(other, "Parasetamol 500 mg")
    receipt = receive(other, drug, "B1", _days(other, 100), 5)
    batch = Batch.objects.get(item=drug)
    assert receipt.movement.koperasi_id == other.pk
    user = make_user("ketua", koperasi)
    for role in KOPERASI_ROLES:
        if role != "ketua":
            RoleAssignment.objects.create(user=user, role=role, koperasi=koperasi)
    login(client, user)
    plain = ["home", "pharmacist", "pharmacist-appoint", "receive", "batch-list", "sipnap",
             "sipnap-export"]  # fmt: skip
    urls = [_url(name, other) for name in plain]
    urls += [
        _url("drug-edit", other, item_id=drug.pk),
        _url("drug-edit", koperasi, item_id=drug.pk),
        _url("batch-detail", other, batch_id=batch.pk),
        _url("batch-detail", koperasi, batch_id=batch.pk),
    ]
    for url in urls:
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"drug_class": "keras", "dosage_form": "tablet"}).status_code in (
            404,
            405,
        ), url
    assert DrugInfo.objects.get(item=drug).drug_class == "bebas"

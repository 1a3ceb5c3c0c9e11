"""Subsidised goods at the store's point of sale: an LPG / pupuk / SPHP line needs the
buyer's NIK (pupuk: the farmer's confirmation too); the checkout runs the subsidy checks
(HET, quota per NIK, RDKK allocation, limit per transaction) in its transaction. A refusal
refuses the whole sale with the subsidy's Indonesian message and writes nothing (no sale,
no entry, no stock movement, no register row); an accepted sale records its register row
with the sale."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from kopdes.domain.sale import Payment
from kopdes.ledger.models import JournalEntry
from kopdes.platform.core.errors import ConflictError, DomainError
from kopdes.platform.core.testing import login, make_user
from kopdes.store import services as store
from kopdes.store import subsidised
from kopdes.store.models import Sale, StockMovement, StockPosition
from kopdes.store.testing import make_item, manajer, on_shift
from kopdes.subsidy import services
from kopdes.subsidy.models import SubsidisedSale
from kopdes.subsidy.testing import buyer, import_rdkk, lpg_het, nik

pytestmark = pytest.mark.django_db


def _stock(koperasi, item, quantity, cost_per_unit):
    store.receive_stock(
        koperasi,
        actor=manajer(koperasi),
        item=item,
        quantity=quantity,
        cost=quantity * cost_per_unit,
        idempotency_key=f"r-{item.pk}",
    )
    return item


def _lpg_item(koperasi, *, price=19_000_00):
    item = make_item(
        koperasi,
        name=f"LPG 3 kg {uuid.uuid4().hex[:6]}",
        business_unit="lpg",
        category="LPG",
        units_per_dus=None,
        member_price=price,
        public_price=price,
        min_stock=0,
    )
    return _stock(koperasi, item, 50, 16_000_00)


def _kg_item(koperasi, name, unit, price):
    item = make_item(
        koperasi,
        name=name,
        business_unit=unit,
        category="Subsidi",
        base_unit="kg",
        units_per_dus=None,
        member_price=price,
        public_price=price,
        min_stock=0,
    )
    return _stock(koperasi, item, 500, price - 100_00)


def _sell(koperasi, item, quantity, *, nik_text, key=None, farmer=False, cash=None, **kwargs):
    lines = [
        {
            "item": item,
            "quantity": quantity,
            **subsidised.line_data(koperasi, nik=nik_text, farmer_confirmed=farmer),
        }
    ]
    return store.checkout(
        koperasi,
        actor=make_user("kasir", koperasi),
        lines=lines,
        payments=[Payment("cash", cash or 10_000_000_00)],
        idempotency_key=key or uuid.uuid4().hex,
        **kwargs,
    )


def _nothing_written(koperasi, before):
    assert Sale.objects.filter(koperasi=koperasi).count() == before["sales"]
    assert SubsidisedSale.objects.filter(koperasi=koperasi).count() == before["rows"]
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == before["entries"]
    assert StockMovement.objects.filter(koperasi=koperasi).count() == before["moves"]


def _counts(koperasi):
    return {
        "sales": Sale.objects.filter(koperasi=koperasi).count(),
        "rows": SubsidisedSale.objects.filter(koperasi=koperasi).count(),
        "entries": JournalEntry.objects.filter(koperasi=koperasi).count(),
        "moves": StockMovement.objects.filter(koperasi=koperasi).count(),
    }


@pytest.fixture
def pangkalan(koperasi):
    lpg_het(koperasi)  # Rp19.000 per cylinder from 2026-01-01
    buyer(koperasi, serial=1)
    return koperasi


def test_an_lpg_sale_records_its_register_row_with_the_sale(pangkalan):
    item = _lpg_item(pangkalan)
    sale = _sell(pangkalan, item, 3, nik_text=nik(1))
    row = SubsidisedSale.objects.get(koperasi=pangkalan)
    assert row.store_sale_id == sale.pk and row.channel == "lpg"
    assert (row.quantity, row.unit_price, row.amount) == (3, 19_000_00, 57_000_00)
    assert row.nik == nik(1) and row.sold_on == sale.date
    assert StockPosition.objects.get(item=item).quantity == 47


def test_a_replay_posts_once_and_another_nik_with_the_same_key_is_a_conflict(pangkalan):
    item = _lpg_item(pangkalan)
    buyer(pangkalan, serial=2, name="Bu Ani")
    first = _sell(pangkalan, item, 2, nik_text=nik(1), key="till-1", cash=38_000_00)
    again = _sell(pangkalan, item, 2, nik_text=nik(1), key="till-1", cash=38_000_00)
    assert again.pk == first.pk and again.replayed
    assert SubsidisedSale.objects.filter(koperasi=pangkalan).count() == 1
    with pytest.raises(ConflictError):
        _sell(pangkalan, item, 2, nik_text=nik(2), key="till-1", cash=38_000_00)


def test_nik_over_its_quota_refuses_the_whole_sale(pangkalan):
    item = _lpg_item(pangkalan)
    # 14 of her 15 cylinders this month were sold already.
    services.check_and_record_subsidised_sale(
        pangkalan,
        actor=make_user("kasir", pangkalan),
        channel="lpg",
        nik=nik(1),
        quantity=14,
        unit_price=19_000_00,
        sold_on=pangkalan.today(),
        idempotency_key="earlier",
        at=timezone.now(),
    )
    before = _counts(pangkalan)
    with pytest.raises(DomainError) as exc:
        _sell(pangkalan, item, 2, nik_text=nik(1))
    assert "Kuota LPG 3 kg untuk NIK ini 15 tabung" in exc.value.message
    _nothing_written(pangkalan, before)
    assert StockPosition.objects.get(item=item).quantity == 50


def test_a_price_above_het_is_refused(pangkalan):
    item = _lpg_item(pangkalan, price=20_000_00)
    before = _counts(pangkalan)
    with pytest.raises(DomainError) as exc:
        _sell(pangkalan, item, 1, nik_text=nik(1))
    assert "melebihi HET" in exc.value.message
    _nothing_written(pangkalan, before)


def test_an_unregistered_nik_a_bad_nik_and_no_nik_are_refused(pangkalan):
    item = _lpg_item(pangkalan)
    before = _counts(pangkalan)
    with pytest.raises(DomainError) as exc:
        _sell(pangkalan, item, 1, nik_text=nik(9))
    assert "bukan pembeli terdaftar" in exc.value.message or "terdaftar" in exc.value.message
    with pytest.raises(DomainError) as exc:
        _sell(pangkalan, item, 1, nik_text="1234")
    assert "NIK" in exc.value.message
    with pytest.raises(DomainError) as exc:  # a checkout line without the NIK at all
        store.checkout(
            pangkalan,
            actor=make_user("kasir", pangkalan),
            lines=[{"item": item, "quantity": 1}],
            payments=[Payment("cash", 19_000_00)],
            idempotency_key="no-nik",
        )
    assert "ketik NIK pembeli" in exc.value.message
    _nothing_written(pangkalan, before)


# --- pupuk ------------------------------------------------------------------------------------


@pytest.fixture
def kios(koperasi):
    today = koperasi.today()
    services.add_season(
        koperasi,
        actor=manajer(koperasi),
        data={
            "code": "MT-NOW",
            "start": today - dt.timedelta(days=30),
            "end": today + dt.timedelta(days=60),
        },
        at=timezone.now(),
    )
    import_rdkk(koperasi, [[nik(1), "Pak Darto", "Poktan Sri Rejeki", "MT-NOW", "urea", 100]])
    return koperasi


def test_pupuk_takes_from_the_rdkk_allocation_with_the_farmers_confirmation(kios):
    urea = _kg_item(kios, "Pupuk Urea bersubsidi", "pupuk", 1_800_00)
    sale = _sell(kios, urea, "50", nik_text=nik(1), farmer=True)
    row = SubsidisedSale.objects.get(koperasi=kios)
    assert row.store_sale_id == sale.pk and row.product == "urea"
    assert (row.quantity, row.unit_price, row.farmer_confirmed) == (50_000, 1_800_00, True)
    before = _counts(kios)
    with pytest.raises(DomainError) as exc:  # 50 + 60 kg > her 100 kg
        _sell(kios, urea, "60", nik_text=nik(1), farmer=True)
    assert "sisa 50 kg" in exc.value.message
    with pytest.raises(DomainError) as exc:
        _sell(kios, urea, "10", nik_text=nik(1), farmer=False)
    assert "konfirmasi petani" in exc.value.message
    with pytest.raises(DomainError) as exc:
        _sell(kios, urea, "10", nik_text=nik(7), farmer=True)
    assert "tidak terdaftar di RDKK" in exc.value.message
    _nothing_written(kios, before)


def test_pupuk_above_het_and_an_unknown_type_are_refused(kios):
    dear = _kg_item(kios, "Pupuk Urea mahal", "pupuk", 2_000_00)
    unknown = _kg_item(kios, "Pupuk cair", "pupuk", 1_500_00)
    before = _counts(kios)
    with pytest.raises(DomainError) as exc:
        _sell(kios, dear, "10", nik_text=nik(1), farmer=True)
    assert "melebihi HET" in exc.value.message
    with pytest.raises(DomainError) as exc:
        _sell(kios, unknown, "10", nik_text=nik(1), farmer=True)
    assert "jenis pupuk tidak dikenali" in exc.value.message
    _nothing_written(kios, before)


# --- beras SPHP -------------------------------------------------------------------------------


def test_sphp_per_transaction_limit(koperasi):
    buyer(koperasi, serial=1)  # Jawa Barat: zone 1, HET Rp12.500/kg, 10 kg per transaction
    rice = _kg_item(koperasi, "Beras SPHP 5 kg", "beras_sphp", 12_500_00)
    before = _counts(koperasi)
    with pytest.raises(DomainError) as exc:
        _sell(koperasi, rice, "12", nik_text=nik(1))
    assert "paling banyak 10 kg per transaksi" in exc.value.message
    _nothing_written(koperasi, before)
    sale = _sell(koperasi, rice, "5", nik_text=nik(1))
    row = SubsidisedSale.objects.get(koperasi=koperasi)
    assert row.store_sale_id == sale.pk and row.quantity == 5_000


# --- the pages --------------------------------------------------------------------------------


def _url(name, koperasi):
    return reverse(f"store:{name}", kwargs={"slug": koperasi.slug})


def test_the_pay_page_asks_for_the_nik_and_the_sale_records_it(client, pangkalan):
    item = _lpg_item(pangkalan)
    login(client, on_shift(pangkalan))
    client.post(_url("pos", pangkalan), {"action": "add", "code": item.name, "quantity": "2"})
    page = client.get(_url("pos-pay", pangkalan)).content.decode()
    assert 'data-testid="pay-nik"' in page
    assert 'data-testid="pay-farmer-confirmed"' not in page  # LPG: no farmer's confirmation
    missing = client.post(_url("pos-pay", pangkalan), {"action": "confirm", "cash": "38.000"})
    assert "Ketik NIK pembeli" in missing.content.decode()
    assert not Sale.objects.exists()
    done = client.post(
        _url("pos-pay", pangkalan), {"action": "confirm", "cash": "40.000", "nik": nik(1)}
    )
    assert done.status_code == 302
    sale = Sale.objects.get(koperasi=pangkalan)
    assert SubsidisedSale.objects.get(koperasi=pangkalan).store_sale_id == sale.pk
    # The NIK never sits in the session's cart.
    assert nik(1) not in str(dict(client.session))


def test_the_pay_page_shows_the_subsidy_refusal(client, pangkalan):
    item = _lpg_item(pangkalan, price=20_000_00)
    login(client, on_shift(pangkalan))
    client.post(_url("pos", pangkalan), {"action": "add", "code": item.name, "quantity": "1"})
    response = client.post(
        _url("pos-pay", pangkalan), {"action": "confirm", "cash": "20.000", "nik": nik(1)}
    )
    assert "melebihi HET" in response.content.decode()
    assert not Sale.objects.exists() and not SubsidisedSale.objects.exists()


def test_the_pay_page_asks_the_farmer_to_confirm_pupuk(client, kios):
    urea = _kg_item(kios, "Pupuk Urea karung", "pupuk", 1_800_00)
    login(client, on_shift(kios))
    client.post(_url("pos", kios), {"action": "add", "code": urea.name, "quantity": "20"})
    page = client.get(_url("pos-pay", kios)).content.decode()
    assert 'data-testid="pay-farmer-confirmed"' in page
    client.post(
        _url("pos-pay", kios),
        {"action": "confirm", "cash": "36.000", "nik": nik(1), "farmer_confirmed": "1"},
    )
    assert SubsidisedSale.objects.get(koperasi=kios).farmer_confirmed is True


def test_ordinary_goods_ask_for_no_nik(client, koperasi):
    item = make_item(koperasi)
    _stock(koperasi, item, 5, 15_000_00)
    login(client, on_shift(koperasi))
    client.post(_url("pos", koperasi), {"action": "add", "code": item.name})
    page = client.get(_url("pos-pay", koperasi)).content.decode()
    assert 'data-testid="pay-nik"' not in page

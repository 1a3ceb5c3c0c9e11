"""Store services on a real database: business units and their accounts, items, suppliers.

Every refusal is checked for its Indonesian message and for nothing written (rows and
audit events counted before and after).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from kopdes.domain.barcode import InStoreKind, make_instore
from kopdes.ledger.models import Account
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.core.testing import make_user
from kopdes.store import services
from kopdes.store.models import BusinessUnit, Category, Item, Supplier
from kopdes.store.testing import item_data, make_item, manajer, running_unit

pytestmark = pytest.mark.django_db


def _counts(koperasi) -> tuple[int, ...]:
    return (
        Item.objects.filter(koperasi=koperasi).count(),
        Category.objects.filter(koperasi=koperasi).count(),
        Supplier.objects.filter(koperasi=koperasi).count(),
        BusinessUnit.objects.filter(koperasi=koperasi).count(),
        Account.objects.filter(koperasi=koperasi).count(),
        AuditEvent.objects.filter(koperasi=koperasi).count(),
    )


def _refused(koperasi, call, field: str, message: str):
    before = _counts(koperasi)
    with pytest.raises(services.StoreError) as caught:
        call()
    errors = getattr(caught.value, "errors", [(caught.value.field, caught.value.message)])
    assert any(f == field and message in m for f, m in errors), errors
    assert _counts(koperasi) == before, "a refused call wrote something"
    return errors


# --- business units -------------------------------------------------------------------------


def test_enabling_the_gerai_sembako_uses_the_charts_unit_accounts(koperasi):
    unit = running_unit(koperasi, "sembako")
    assert (unit.ledger_unit, unit.sells) == ("sembako", "goods")
    assert (unit.cash_account, unit.inventory_account) == ("1-1101", "1-1501")
    assert (unit.revenue_member_account, unit.revenue_public_account) == ("4-1101", "4-1201")
    assert (unit.cost_member_account, unit.cost_public_account) == ("5-1101", "5-1201")
    event = AuditEvent.objects.get(koperasi=koperasi, action="store.business_unit.enabled")
    assert event.summary["accounts_created"] == []  # the chart had them (sembako in profile)


def test_a_channel_gets_its_own_sub_accounts_through_the_ledger(koperasi):
    running_unit(koperasi, "sembako")
    lpg = running_unit(koperasi, "lpg")
    assert lpg.ledger_unit == "sembako"
    assert lpg.revenue_member_account == "4-1101.01"
    assert lpg.inventory_account == "1-1501.01"
    revenue = Account.objects.get(koperasi=koperasi, code="4-1101.01")
    assert revenue.parent.code == "4-1101" and revenue.business_unit == "sembako"
    assert revenue.is_member_revenue and "LPG 3 kg" in revenue.name
    stock = Account.objects.get(koperasi=koperasi, code="1-1501.01")
    assert stock.subledger_kind == "inventory"  # a control account, like its parent
    created = AuditEvent.objects.filter(koperasi=koperasi, action="ledger.account.created")
    assert created.count() == 5  # revenue x2, cost x2, inventory; cash is the gerai's till


def test_a_unit_outside_the_profile_gets_the_templates_per_unit_accounts(koperasi):
    assert "klinik" not in koperasi.business_units
    klinik = running_unit(koperasi, "klinik")
    assert klinik.sells == "services" and klinik.inventory_account == ""
    cash = Account.objects.get(koperasi=koperasi, code="1-1103")
    assert cash.name == "Kas - klinik desa" and cash.business_unit == "klinik"
    assert not Account.objects.filter(koperasi=koperasi, code="1-1503").exists()


def test_enabling_twice_is_refused_and_switching_off_then_on_works(koperasi):
    unit = running_unit(koperasi, "apotek")
    actor = manajer(koperasi)
    _refused(
        koperasi,
        lambda: services.enable_business_unit(
            koperasi, actor=actor, kind="apotek", at=timezone.now()
        ),
        "kind",
        "sudah berjalan",
    )
    services.disable_business_unit(unit, actor=actor)
    again = services.enable_business_unit(koperasi, actor=actor, kind="apotek", at=timezone.now())
    assert again.pk == unit.pk and again.is_active


def test_unknown_kind_and_a_kasir_are_refused(koperasi):
    running_unit(koperasi, "sembako")
    _refused(
        koperasi,
        lambda: services.enable_business_unit(
            koperasi, actor=manajer(koperasi), kind="kasino", at=timezone.now()
        ),
        "kind",
        "tidak dikenal",
    )
    kasir = make_user("kasir", koperasi)
    with pytest.raises(PermissionDeniedError):
        services.enable_business_unit(koperasi, actor=kasir, kind="apotek", at=timezone.now())


# --- items ----------------------------------------------------------------------------------


def test_create_item_writes_the_item_its_category_and_an_audit_event(koperasi):
    item = make_item(koperasi, name="Mie instan goreng", barcode="8992761111113")
    assert item.barcode == "8992761111113" and item.category.name == "Minyak"
    assert (item.member_price, item.public_price, item.units_per_dus) == (1_750_000, 1_800_000, 12)
    event = AuditEvent.objects.get(koperasi=koperasi, action="store.item.created")
    assert event.summary["name"] == "Mie instan goreng"
    assert event.summary["public_price"] == 1_800_000


def test_scanner_input_is_stored_as_the_code(koperasi):
    item = make_item(koperasi, barcode="]E08992761111113\r\n")
    assert item.barcode == "8992761111113"


def test_a_weight_label_is_kept_under_its_base_code(koperasi):
    label = make_instore(InStoreKind.WEIGHT, 42, 1250)
    item = make_item(
        koperasi,
        name="Daging sapi",
        base_unit="kg",
        units_per_dus=None,
        min_stock=Decimal("1.5"),
        barcode=label,
    )
    assert item.barcode == make_instore(InStoreKind.WEIGHT, 42, 0)
    assert item.min_stock == Decimal("1.5")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"barcode": "8992761111112"}, "barcode", "seharusnya 3"),
        ({"barcode": "89927611"}, "barcode", "seharusnya"),
        ({"barcode": "12345"}, "barcode", "13 angka"),
        ({"barcode": "ABC"}, "barcode", "hanya boleh berisi angka"),
        ({"member_price": -100}, "member_price", "tidak boleh negatif"),
        ({"public_price": "-15.000"}, "public_price", "tidak boleh negatif"),
        ({"public_price": 0}, "public_price", "lebih dari nol"),
        ({"public_price": "1,5 juta"}, "public_price", "kata"),
        ({"member_price": 19_000_00}, "member_price", "tidak boleh lebih tinggi"),
        ({"min_stock": "1,5"}, "min_stock", "satuan pcs harus bilangan bulat"),
        ({"min_stock": Decimal("2.5")}, "min_stock", "bilangan bulat"),
        ({"units_per_dus": "1,5"}, "units_per_dus", "bilangan bulat"),
        ({"units_per_pak": 0}, "units_per_pak", "bilangan bulat"),
        ({"base_unit": "dus"}, "base_unit", "pcs, kg, gram, liter"),
        ({"base_unit": "lusin"}, "base_unit", "tidak dikenal"),
        ({"business_unit": "apotek"}, "business_unit", "unit usaha"),
        ({"name": "  "}, "name", "nama"),
        ({"name": "Gula\x00pasir"}, "name", "tidak diizinkan"),
        ({"is_service": True}, "min_stock", "Jasa tidak punya stok"),
        (
            {
                "base_unit": "pcs",
                "units_per_dus": None,
                "min_stock": 0,
                "barcode": make_instore(InStoreKind.WEIGHT, 7, 500),
            },
            "barcode",
            "kg atau gram",
        ),
    ],
)
def test_bad_items_are_refused_and_nothing_is_written(koperasi, overrides, field, message):
    running_unit(koperasi, "sembako")
    actor = manajer(koperasi)
    _refused(
        koperasi,
        lambda: services.create_item(koperasi, actor=actor, data=item_data(**overrides)),
        field,
        message,
    )


def test_every_problem_of_an_item_is_reported_at_once(koperasi):
    running_unit(koperasi, "sembako")
    errors = _refused(
        koperasi,
        lambda: services.create_item(
            koperasi,
            actor=manajer(koperasi),
            data=item_data(barcode="8992761111112", member_price=-1, min_stock="0,5"),
        ),
        "barcode",
        "seharusnya",
    )
    assert {f for f, _m in errors} == {"barcode", "member_price", "min_stock"}


def test_duplicate_barcode_and_name_are_refused(koperasi):
    first = make_item(koperasi, name="Gula pasir 1 kg", barcode="8992761111113")
    actor = manajer(koperasi)
    _refused(
        koperasi,
        lambda: services.create_item(
            koperasi, actor=actor, data=item_data(barcode="8992761111113")
        ),
        "barcode",
        f"sudah dipakai {first.name}",
    )
    _refused(
        koperasi,
        lambda: services.create_item(koperasi, actor=actor, data=item_data(name="GULA PASIR 1 KG")),
        "name",
        "sudah ada",
    )


def test_the_same_barcode_may_exist_in_another_koperasi(koperasi, other_koperasi):
    make_item(koperasi, barcode="8992761111113")
    other = make_item(other_koperasi, barcode="8992761111113")
    assert other.koperasi == other_koperasi


def test_a_service_units_item_must_be_a_service(koperasi):
    running_unit(koperasi, "klinik")
    actor = manajer(koperasi)
    _refused(
        koperasi,
        lambda: services.create_item(
            koperasi,
            actor=actor,
            data=item_data(business_unit="klinik", units_per_dus=None, min_stock=0),
        ),
        "is_service",
        "menjual jasa",
    )
    visit = services.create_item(
        koperasi,
        actor=actor,
        data=item_data(
            name="Periksa umum",
            business_unit="klinik",
            units_per_dus=None,
            min_stock=0,
            is_service=True,
            member_price=20_000_00,
            public_price=35_000_00,
        ),
    )
    assert visit.is_service and visit.business_unit.kind == "klinik"


def test_update_item_records_what_changed(koperasi):
    item = make_item(koperasi, name="Telur ayam", base_unit="kg", units_per_dus=None, min_stock=5)
    data = item_data(
        name="Telur ayam negeri",
        base_unit="kg",
        units_per_dus=None,
        min_stock=5,
        public_price=29_000_00,
        member_price=28_000_00,
    )
    services.update_item(item, actor=manajer(koperasi), data=data)
    item.refresh_from_db()
    assert item.name == "Telur ayam negeri" and item.public_price == 29_000_00
    event = AuditEvent.objects.get(koperasi=koperasi, action="store.item.updated")
    assert event.summary["changed"]["public_price"] == [1_800_000, 2_900_000]
    assert "min_stock" not in event.summary["changed"]


def test_update_keeps_its_own_barcode_but_not_anothers(koperasi):
    one = make_item(koperasi, barcode="8992761111113")
    two = make_item(koperasi, barcode="96385074")
    actor = manajer(koperasi)
    services.update_item(one, actor=actor, data=item_data(name=one.name, barcode="8992761111113"))
    _refused(
        koperasi,
        lambda: services.update_item(
            two, actor=actor, data=item_data(name=two.name, barcode="8992761111113")
        ),
        "barcode",
        "sudah dipakai",
    )
    two.refresh_from_db()
    assert two.barcode == "96385074"


def test_a_kasir_may_not_change_the_catalog(koperasi):
    running_unit(koperasi, "sembako")
    with pytest.raises(PermissionDeniedError):
        services.create_item(koperasi, actor=make_user("kasir", koperasi), data=item_data())
    assert not Item.objects.filter(koperasi=koperasi).exists()


def test_take_an_item_off_sale_and_back(koperasi):
    item = make_item(koperasi)
    actor = manajer(koperasi)
    services.set_item_active(item, actor=actor, active=False)
    item.refresh_from_db()
    assert not item.is_active
    services.set_item_active(item, actor=actor, active=True)
    assert (
        AuditEvent.objects.filter(
            koperasi=koperasi, action__in=["store.item.deactivated", "store.item.activated"]
        ).count()
        == 2
    )


# --- import (rows already read from a file) ------------------------------------------------


def test_import_is_all_or_nothing_and_lists_every_bad_row(koperasi):
    existing = make_item(koperasi, name="Beras premium 5 kg")
    rows = [
        {**item_data(name="Kopi sachet", barcode="8992761111113"), "_row": 2},
        {**item_data(name="Teh celup", barcode="8992761111112"), "_row": 3},
        {**item_data(name="Sabun", member_price=-5), "_row": 4},
        {**item_data(name="Kopi sachet"), "_row": 5},
    ]
    before = _counts(koperasi)
    with pytest.raises(services.ImportErrors) as caught:
        services.import_catalog(koperasi, actor=manajer(koperasi), rows=rows)
    found = {(row, field) for row, field, _m in caught.value.errors}
    assert found == {(3, "barcode"), (4, "member_price"), (5, "name")}
    assert _counts(koperasi) == before
    existing.refresh_from_db()
    assert existing.public_price == 18_000_00


def test_import_adds_new_items_and_updates_by_name(koperasi):
    existing = make_item(koperasi, name="Beras premium 5 kg")
    rows = [
        {
            **item_data(name="beras premium 5 KG", public_price=80_000_00, member_price=78_000_00),
            "_row": 2,
        },
        {**item_data(name="Kopi sachet", category="Minuman"), "_row": 3},
    ]
    result = services.import_catalog(koperasi, actor=manajer(koperasi), rows=rows)
    assert result == {"created": 1, "updated": 1}
    existing.refresh_from_db()
    assert existing.public_price == 80_000_00
    assert Category.objects.filter(koperasi=koperasi, name="Minuman").exists()
    assert AuditEvent.objects.filter(koperasi=koperasi, action="store.catalog.imported").exists()


def test_import_refuses_an_empty_file(koperasi):
    running_unit(koperasi)
    with pytest.raises(services.ImportErrors, match="kesalahan"):
        services.import_catalog(koperasi, actor=manajer(koperasi), rows=[])


# --- suppliers ------------------------------------------------------------------------------


def test_supplier_phone_is_encrypted_indexed_and_masked(koperasi):
    from kopdes.store.selectors import masked_phone

    supplier = services.create_supplier(
        koperasi,
        actor=manajer(koperasi),
        data={
            "name": "UMKM Keripik Bu Ani",
            "is_umkm": True,
            "owner_name": "Ani Suryani",
            "region_code": "32.01.26.2001",
            "phone": "0812-3456-7890",
        },
    )
    supplier.refresh_from_db()
    assert supplier.phone == "+6281234567890"
    raw = Supplier.objects.filter(pk=supplier.pk).values_list("phone", flat=True).get()
    assert "81234567890" not in raw
    assert supplier.phone_index
    assert masked_phone(supplier) == "+62812*****890"
    event = AuditEvent.objects.get(koperasi=koperasi, action="store.supplier.created")
    assert "81234567890" not in str(event.summary)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "Toko A", "phone": "12345"}, "phone", ""),
        ({"name": "Toko A", "region_code": "99.99.99.9999"}, "region_code", ""),
        ({"name": "Keripik", "is_umkm": True}, "owner_name", "pemilik"),
        ({"name": ""}, "name", "nama"),
    ],
)
def test_bad_suppliers_are_refused(koperasi, data, field, message):
    _refused(
        koperasi,
        lambda: services.create_supplier(koperasi, actor=manajer(koperasi), data=data),
        field,
        message,
    )


def test_duplicate_supplier_is_refused(koperasi):
    actor = manajer(koperasi)
    services.create_supplier(koperasi, actor=actor, data={"name": "CV Sumber Rejeki"})
    _refused(
        koperasi,
        lambda: services.create_supplier(koperasi, actor=actor, data={"name": "cv sumber rejeki"}),
        "name",
        "sudah ada",
    )

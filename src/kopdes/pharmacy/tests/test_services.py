"""The apotek's services and its rules inside the store's receipts and checkout: the
pharmacist and her licence, drug information, batches received with their expiry, a
sale first-expiring-first, expired batches blocked, prescriptions; every refusal writes
nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from kopdes.domain.sale import Payment
from kopdes.pharmacy import services
from kopdes.pharmacy.errors import PharmacyError
from kopdes.pharmacy.models import Batch, BatchMovement, DrugInfo, Pharmacist, Prescription
from kopdes.pharmacy.testing import appoint, make_drug, manajer, receive
from kopdes.pharmacy.verification import check_batches
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import ConflictError, DomainError, PermissionDeniedError
from kopdes.platform.core.testing import make_user
from kopdes.store import services as store
from kopdes.store.models import Sale, StockMovement, StockPosition
from kopdes.store.testing import make_item

pytestmark = pytest.mark.django_db


def _days(koperasi, n: int) -> dt.date:
    return koperasi.today() + dt.timedelta(days=n)


def _sell(koperasi, item, quantity, *, key="s-1", actor=None, date=None, **line):
    return store.checkout(
        koperasi,
        actor=actor or make_user("kasir", koperasi),
        lines=[{"item": item, "quantity": quantity, **line}],
        payments=[Payment("cash", 1_000_000_00)],
        idempotency_key=key,
        date=date,
    )


def _counts(koperasi) -> tuple:
    return (
        Sale.objects.filter(koperasi=koperasi).count(),
        StockMovement.objects.filter(koperasi=koperasi).count(),
        BatchMovement.objects.filter(koperasi=koperasi).count(),
        Prescription.objects.filter(koperasi=koperasi).count(),
        list(Batch.objects.filter(koperasi=koperasi).values_list("batch_number", "quantity")),
    )


# --- the pharmacist -------------------------------------------------------------------------


def test_a_new_pharmacist_ends_the_one_before_and_history_stays(koperasi):
    first = appoint(koperasi, name="apt. Rina Marlina")
    second = appoint(koperasi, name="apt. Dede Kurnia")
    first.refresh_from_db()
    assert first.ended_on == second.started_on == koperasi.today()
    assert second.ended_on is None
    assert Pharmacist.objects.filter(koperasi=koperasi).count() == 2
    event = AuditEvent.objects.filter(action="pharmacy.pharmacist.appointed").last()
    assert event.summary["previous"] == "apt. Rina Marlina"


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"sipa_number": ""}, "sipa_number", "nomor SIPA"),
        ({"sipa_number": "=SIPA()"}, "sipa_number", "hanya boleh"),
        ({"name": " "}, "name", "nama"),
        ({"sipa_expires_on": None}, "sipa_expires_on", "tanggal berakhir SIPA"),
        ({"sipa_expires_on": dt.date(2020, 1, 31)}, "sipa_expires_on", "kedaluwarsa"),
    ],
)
def test_a_pharmacist_without_a_valid_licence_is_refused(koperasi, data, field, text):
    good = {
        "name": "apt. Rina Marlina",
        "sipa_number": "503/SIPA/001/2025",
        "sipa_expires_on": _days(koperasi, 400),
    }
    with pytest.raises(PharmacyError) as refused:
        services.appoint_pharmacist(koperasi, actor=manajer(koperasi), data={**good, **data})
    fields = [f for f, _m in refused.value.errors]
    assert field in fields
    assert text in refused.value.message
    assert not Pharmacist.objects.filter(koperasi=koperasi).exists()
    assert not AuditEvent.objects.filter(action="pharmacy.pharmacist.appointed").exists()


def test_only_ketua_and_manajer_appoint_the_pharmacist(koperasi):
    with pytest.raises(PermissionDeniedError):
        services.appoint_pharmacist(
            koperasi,
            actor=make_user("kasir", koperasi),
            data={"name": "X", "sipa_number": "1", "sipa_expires_on": _days(koperasi, 9)},
        )


# --- drug information -------------------------------------------------------------------------


def test_drug_information_only_for_goods_of_the_apotek(koperasi):
    rice = make_item(koperasi)  # gerai sembako
    with pytest.raises(PharmacyError) as refused:
        services.set_drug_info(
            koperasi,
            actor=manajer(koperasi),
            item=rice,
            data={"drug_class": "keras", "dosage_form": "tablet"},
        )
    assert "apotek" in refused.value.message
    amox = make_drug(koperasi, "Amoksisilin 500 mg", drug_class="keras", dosage_form="kapsul")
    info = DrugInfo.objects.get(item=amox)
    assert info.requires_prescription and not info.is_sipnap
    with pytest.raises(PharmacyError):
        services.set_drug_info(
            koperasi, actor=manajer(koperasi), item=amox, data={"drug_class": "racikan"}
        )
    assert DrugInfo.objects.get(item=amox).drug_class == "keras"


# --- receipts by batch ----------------------------------------------------------------------


def test_a_receipt_records_its_batch_and_a_second_receipt_adds_to_it(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    receive(koperasi, para, "PCT2401", _days(koperasi, 300), 20)
    receive(koperasi, para, "PCT2401", _days(koperasi, 300), 10)
    batch = Batch.objects.get(item=para)
    assert (batch.quantity, batch.received) == (30, 30)
    assert StockPosition.objects.get(item=para).quantity == 30
    assert BatchMovement.objects.filter(batch=batch, kind="receipt").count() == 2
    assert AuditEvent.objects.filter(action="pharmacy.batch.received").count() == 2
    assert check_batches(koperasi).ok


@pytest.mark.parametrize(
    ("batch", "expiry_days", "text"),
    [
        ("", 100, "nomor batch"),
        ("PCT2402", None, "tanggal kedaluwarsa"),
        ("PCT2402", -1, "sudah lewat"),
        ("PCT2401", 200, "tercatat dengan kedaluwarsa"),  # the same batch, another expiry
    ],
)
def test_a_receipt_without_batch_or_with_a_past_expiry_is_refused(
    koperasi, batch, expiry_days, text
):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    receive(koperasi, para, "PCT2401", _days(koperasi, 300), 5)
    before = _counts(koperasi)
    with pytest.raises(DomainError) as refused:
        services.receive_batch(
            koperasi,
            actor=manajer(koperasi),
            item=para,
            batch_number=batch,
            expires_on=None if expiry_days is None else _days(koperasi, expiry_days),
            quantity=5,
            cost=5 * 3_000_00,
            idempotency_key="r-bad",
        )
    assert text in refused.value.message
    assert _counts(koperasi) == before
    assert StockPosition.objects.get(item=para).quantity == 5


def test_the_store_receipt_of_a_drug_without_its_batch_is_refused(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    with pytest.raises(DomainError) as refused:
        store.receive_stock(
            koperasi, actor=manajer(koperasi), item=para, quantity=5, cost=1, idempotency_key="x"
        )
    assert "nomor batch" in refused.value.message
    assert not StockPosition.objects.filter(item=para).exists()
    rice = make_item(koperasi)  # other units' goods have no batch
    store.receive_stock(
        koperasi, actor=manajer(koperasi), item=rice, quantity=5, cost=5, idempotency_key="y"
    )
    assert not Batch.objects.filter(koperasi=koperasi).exists()


def test_a_retry_of_a_receipt_with_another_batch_is_a_conflict(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    args = {"actor": manajer(koperasi), "item": para, "quantity": 5, "cost": 15_000_00}
    services.receive_batch(
        koperasi, batch_number="A1", expires_on=_days(koperasi, 99), idempotency_key="k", **args
    )
    again = services.receive_batch(
        koperasi, batch_number="A1", expires_on=_days(koperasi, 99), idempotency_key="k", **args
    )
    assert again.replayed
    with pytest.raises(ConflictError):
        services.receive_batch(
            koperasi, batch_number="B2", expires_on=_days(koperasi, 99), idempotency_key="k", **args
        )
    assert list(Batch.objects.values_list("batch_number", "quantity")) == [("A1", 5)]


# --- sales: first expiring first out ----------------------------------------------------------


def test_a_sale_takes_the_batch_that_expires_first_then_the_next(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    receive(koperasi, para, "LATE", _days(koperasi, 400), 10)
    receive(koperasi, para, "SOON", _days(koperasi, 30), 4)
    sale = _sell(koperasi, para, 6)
    quantities = dict(Batch.objects.values_list("batch_number", "quantity"))
    assert quantities == {"SOON": 0, "LATE": 8}
    moves = list(
        BatchMovement.objects.filter(kind="sale").values_list("batch__batch_number", "quantity")
    )
    assert sorted(moves) == [("LATE", 2), ("SOON", 4)]
    assert all(m.sale_line.sale_id == sale.pk for m in BatchMovement.objects.filter(kind="sale"))
    event = AuditEvent.objects.get(action="pharmacy.sale.dispensed")
    assert event.summary["lines"] == [{"item": para.name, "batches": {"SOON": 4, "LATE": 2}}]
    assert check_batches(koperasi).ok


def test_two_lines_of_one_drug_share_the_batches(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    receive(koperasi, para, "SOON", _days(koperasi, 30), 3)
    receive(koperasi, para, "LATE", _days(koperasi, 300), 3)
    store.checkout(
        koperasi,
        actor=make_user("kasir", koperasi),
        lines=[{"item": para, "quantity": 2}, {"item": para, "quantity": 2}],
        payments=[Payment("cash", 100_000_00)],
        idempotency_key="two",
    )
    assert dict(Batch.objects.values_list("batch_number", "quantity")) == {"SOON": 0, "LATE": 2}
    assert check_batches(koperasi).ok


def test_only_expired_stock_left_refuses_the_sale_and_writes_nothing(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    receive(koperasi, para, "OLD", _days(koperasi, 1), 5)
    # Two days later the batch is past its expiry: the position still holds 5.
    later = _days(koperasi, 2)
    before = _counts(koperasi)
    with pytest.raises(DomainError) as refused:
        store.checkout(
            koperasi,
            actor=make_user("kasir", koperasi),
            lines=[{"item": para, "quantity": 1}],
            payments=[Payment("cash", 5_000_00)],
            idempotency_key="expired",
            date=later,
        )
    message = refused.value.message
    assert message.startswith("Parasetamol 500 mg:")
    assert "kedaluwarsa dan tidak boleh dijual" in message
    assert _counts(koperasi) == before
    assert StockPosition.objects.get(item=para).quantity == 5


# --- prescriptions ---------------------------------------------------------------------------


def test_a_prescription_drug_needs_its_number_and_prescriber(koperasi):
    appoint(koperasi)
    amox = make_drug(koperasi, "Amoksisilin 500 mg", drug_class="keras", dosage_form="kapsul")
    receive(koperasi, amox, "AMX1", _days(koperasi, 200), 30)
    before = _counts(koperasi)
    with pytest.raises(DomainError) as refused:
        _sell(koperasi, amox, 10, key="no-rx")
    assert "wajib dengan resep dokter" in refused.value.message
    with pytest.raises(DomainError) as refused:
        _sell(koperasi, amox, 10, key="no-doctor", prescription_number="R/2026/0012")
    assert "penulis resep" in refused.value.message
    assert _counts(koperasi) == before
    sale = _sell(
        koperasi, amox, 10, key="rx", prescription_number=" R/2026/0012 ",
        prescriber_name="dr. Asep Saepudin",
    )  # fmt: skip
    rx = Prescription.objects.get(sale=sale)
    assert (rx.number, rx.prescriber, rx.item_id) == ("R/2026/0012", "dr. Asep Saepudin", amox.pk)
    assert rx.pharmacist is not None and rx.sale_line.position == 1
    # The same key with another prescription number: a conflict, not the first sale again.
    with pytest.raises(ConflictError):
        _sell(
            koperasi, amox, 10, key="rx", prescription_number="R/2026/0099",
            prescriber_name="dr. Asep Saepudin",
        )  # fmt: skip


def test_prescription_drugs_need_a_pharmacist_with_a_valid_licence(koperasi):
    amox = make_drug(koperasi, "Amoksisilin 500 mg", drug_class="keras")
    receive(koperasi, amox, "AMX1", _days(koperasi, 200), 30)
    rx = {"prescription_number": "R-1", "prescriber_name": "dr. Asep"}
    with pytest.raises(DomainError) as refused:
        _sell(koperasi, amox, 1, key="a", **rx)
    assert "apoteker penanggung jawab" in refused.value.message
    appoint(koperasi, expires_on=_days(koperasi, 5))
    with pytest.raises(DomainError) as refused:
        _sell(koperasi, amox, 1, key="b", date=_days(koperasi, 6), **rx)
    assert "SIPA" in refused.value.message
    assert not Sale.objects.filter(koperasi=koperasi).exists()
    assert _sell(koperasi, amox, 1, key="c", **rx).total == 5_000_00


def test_goods_of_other_units_are_untouched_by_the_apotek_rules(koperasi):
    para = make_drug(koperasi, "Parasetamol 500 mg")
    receive(koperasi, para, "P1", _days(koperasi, 200), 5)
    rice = make_item(koperasi)
    store.receive_stock(
        koperasi, actor=manajer(koperasi), item=rice, quantity=5, cost=5, idempotency_key="rice"
    )
    # A sembako sale goes through with no apotek row at all.
    _sell(koperasi, rice, 1, key="rice")
    assert not BatchMovement.objects.filter(kind="sale").exists()
    assert not AuditEvent.objects.filter(action="pharmacy.sale.dispensed").exists()

"""domain.batches: FEFO picking, expired batches blocked, near-expiry, prescriptions."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.domain.batches import (
    Batch,
    BatchError,
    LicenceStatus,
    Pick,
    check_batch_sale,
    check_prescription,
    expired_batches,
    expiry_from_label,
    licence_status,
    near_expiry,
    pick_batches,
)

TODAY = dt.date(2026, 12, 7)
STOCK = [
    Batch("B-LATE", dt.date(2027, 6, 30), 100),
    Batch("B-OLD", dt.date(2026, 12, 6), 40),  # expired yesterday
    Batch("B-SOON", dt.date(2026, 12, 31), 30),
    Batch("B-TODAY", dt.date(2026, 12, 7), 5),  # last day: still sellable
    Batch("B-EMPTY", dt.date(2026, 12, 10), 0),
]


@pytest.mark.parametrize(
    ("quantity", "picks"),
    [
        (3, [("B-TODAY", 3)]),
        (5, [("B-TODAY", 5)]),
        (20, [("B-TODAY", 5), ("B-SOON", 15)]),
        (135, [("B-TODAY", 5), ("B-SOON", 30), ("B-LATE", 100)]),
    ],
)
def test_pick_first_expiring_first_and_never_an_expired_batch(quantity, picks):
    result = pick_batches(STOCK, quantity, today=TODAY)
    assert [(p.batch_id, p.quantity) for p in result] == picks


def test_not_enough_sellable_stock_says_how_much_is_expired():
    with pytest.raises(BatchError) as err:
        pick_batches(STOCK, 136, today=TODAY)
    assert err.value.code == "insufficient"
    assert "tersedia 135; 40 lagi kedaluwarsa" in err.value.message


@pytest.mark.parametrize(
    ("call", "code", "hint"),
    [
        (lambda: pick_batches(STOCK, 0, today=TODAY), "quantity", "lebih dari nol"),
        (lambda: pick_batches(STOCK, 2.5, today=TODAY), "quantity", "bilangan bulat"),  # type: ignore[arg-type]
        (
            lambda: pick_batches([STOCK[0], STOCK[0]], 1, today=TODAY),
            "batch",
            "dua kali",
        ),
        (lambda: Batch(" ", TODAY, 1), "batch", "wajib"),
        (lambda: Batch("X", TODAY, -1), "quantity", "negatif"),
        (lambda: check_batch_sale(STOCK[1], 1, today=TODAY), "expired", "kedaluwarsa sejak"),
        (lambda: check_batch_sale(STOCK[3], 6, today=TODAY), "insufficient", "tersedia 5"),
        (lambda: check_prescription(True, "  "), "prescription", "wajib dengan resep"),
        (lambda: check_prescription(True, "R/<script>"), "prescription", "huruf, angka"),
        (lambda: expiry_from_label(13, 2026), "label", "Bulan"),
        (lambda: expiry_from_label(1, 1999), "label", "Tahun"),
    ],
)
def test_bad_input_is_refused_in_indonesian(call, code, hint):
    with pytest.raises(BatchError) as err:
        call()
    assert err.value.code == code
    assert hint in err.value.message


def test_a_chosen_batch_on_its_last_day_may_be_sold():
    check_batch_sale(STOCK[3], 5, today=TODAY)
    assert not STOCK[3].is_expired(TODAY) and STOCK[3].is_expired(TODAY + dt.timedelta(days=1))


def test_near_expiry_and_expired_lists():
    rows = near_expiry(STOCK, today=TODAY, within_days=30)
    assert [(b.batch_id, days) for b, days in rows] == [("B-TODAY", 0), ("B-SOON", 24)]
    assert [b.batch_id for b in expired_batches(STOCK, today=TODAY)] == ["B-OLD"]


@pytest.mark.parametrize(
    ("month", "year", "day"),
    [
        (12, 2026, dt.date(2026, 12, 31)),
        (2, 2028, dt.date(2028, 2, 29)),
        (4, 2027, dt.date(2027, 4, 30)),
    ],
)
def test_expiry_label_means_the_last_day_of_the_month(month, year, day):
    assert expiry_from_label(month, year) == day


def test_prescription_number_is_recorded_stripped_and_optional_when_not_required():
    assert check_prescription(True, " RSP/2026/001 ") == "RSP/2026/001"
    assert check_prescription(False, "") is None
    assert check_prescription(False, None) is None


@pytest.mark.parametrize(
    ("expires_on", "status"),
    [
        (dt.date(2026, 12, 6), LicenceStatus.EXPIRED),
        (TODAY, LicenceStatus.EXPIRING),
        (dt.date(2027, 2, 5), LicenceStatus.EXPIRING),
        (dt.date(2027, 2, 6), LicenceStatus.VALID),
    ],
)
def test_pharmacist_licence_status(expires_on, status):
    assert licence_status(expires_on, today=TODAY) == status


# --- properties -------------------------------------------------------------------------

batch_lists = st.lists(
    st.builds(
        Batch,
        batch_id=st.text("ABCDEFGHJK0123456789", min_size=1, max_size=6),
        expires_on=st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)),
        quantity=st.integers(0, 500),
    ),
    max_size=12,
    unique_by=lambda b: b.batch_id,
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(batch_lists, st.integers(1, 3000), st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)))
def test_picks_are_fefo_exact_and_never_expired(batches, quantity, today):
    usable = sum(b.quantity for b in batches if not b.is_expired(today))
    if quantity > usable:
        with pytest.raises(BatchError):
            pick_batches(batches, quantity, today=today)
        return
    picks = pick_batches(batches, quantity, today=today)
    by_id = {b.batch_id: b for b in batches}
    assert sum(p.quantity for p in picks) == quantity
    assert all(isinstance(p, Pick) and p.quantity > 0 for p in picks)
    for pick in picks:
        batch = by_id[pick.batch_id]
        assert not batch.is_expired(today)
        assert pick.quantity <= batch.quantity
    # Every batch but the last picked is emptied, and none left unpicked expires earlier
    # than a picked one.
    for pick in picks[:-1]:
        assert pick.quantity == by_id[pick.batch_id].quantity
    picked = {p.batch_id for p in picks}
    last = picks[-1].expires_on
    for batch in batches:
        if batch.batch_id not in picked and batch.quantity and not batch.is_expired(today):
            assert batch.expires_on >= last

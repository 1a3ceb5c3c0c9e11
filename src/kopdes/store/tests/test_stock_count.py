"""Stock opname: the snapshot, the count sheet's inputs (every bad one refused in Bahasa
Indonesia, nothing saved), the proposal in the approvals inbox, four eyes, the posting of
the differences (one balanced entry, exactly once), sales during the count, rejection, and
``kopdes verify`` (``store.stock``) still passing after it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kopdes.domain.sale import Payment
from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.verification import verify_books
from kopdes.platform.approvals import registry
from kopdes.platform.approvals.services import AlreadyDecidedError
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core import testing
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.core.testing import make_user
from kopdes.platform.identity.selectors import roles_for
from kopdes.store import services
from kopdes.store.errors import ItemErrors, StoreError
from kopdes.store.models import StockCount, StockCountLine, StockMovement, StockPosition
from kopdes.store.services import stock_count as counts
from kopdes.store.testing import make_item, manajer, running_unit
from kopdes.store.verification import check_stock

pytestmark = pytest.mark.django_db


def _stocked(koperasi, quantity, cost, **item):
    item = make_item(koperasi, **item)
    services.receive_stock(
        koperasi, actor=manajer(koperasi), item=item, quantity=quantity, cost=cost,
        idempotency_key=f"recv-{item.pk}",
    )  # fmt: skip
    return item


def _line(count, item) -> StockCountLine:
    return StockCountLine.objects.get(count=count, item=item)


def _position(koperasi, item) -> tuple[int, int]:
    p = StockPosition.objects.filter(koperasi=koperasi, item=item).first()
    return (p.quantity, p.value) if p else (0, 0)


def _written(koperasi) -> tuple:
    return (
        StockMovement.objects.filter(koperasi=koperasi).count(),
        JournalEntry.objects.filter(koperasi=koperasi).count(),
        tuple(
            StockPosition.objects.filter(koperasi=koperasi)
            .order_by("item_id")
            .values_list("quantity", "value")
        ),
        tuple(
            StockCountLine.objects.filter(koperasi=koperasi)
            .order_by("id")
            .values_list("counted", "difference_value")
        ),
        tuple(StockCount.objects.filter(koperasi=koperasi).values_list("state", "submitted_at")),
    )


@pytest.fixture
def shop(koperasi):
    """Oil 10 pcs at Rp15.000 (Rp150.000), rice 5 kg at Rp12.000/kg, sugar never received."""
    oil = _stocked(koperasi, 10, 150_000_00, name="Minyak goreng 1 liter")
    rice = make_item(koperasi, name="Beras curah", base_unit="kg", units_per_dus=None, min_stock=0)
    services.receive_stock(
        koperasi, actor=manajer(koperasi), item=rice, quantity=5, unit="kg",
        cost=60_000_00, idempotency_key="recv-rice",
    )  # fmt: skip
    sugar = make_item(koperasi, name="Gula pasir 1 kg")
    return {"oil": oil, "rice": rice, "sugar": sugar, "unit": running_unit(koperasi)}


def _start(koperasi, shop, who="kasir"):
    counter = make_user(who, koperasi)
    return counter, counts.start_count(koperasi, actor=counter, business_unit=shop["unit"])


def test_start_takes_a_snapshot_of_every_goods_item_of_the_unit(koperasi, shop):
    apotek_item = make_item(koperasi, name="Oralit", business_unit="apotek")
    service = make_item(koperasi, name="Antar barang", is_service=True, units_per_dus=None,
                        min_stock=0)  # fmt: skip
    _counter, count = _start(koperasi, shop)
    lines = {line.item_id: line for line in count.lines.all()}
    assert set(lines) == {shop["oil"].pk, shop["rice"].pk, shop["sugar"].pk}
    assert apotek_item.pk not in lines and service.pk not in lines
    assert (lines[shop["oil"].pk].snapshot_quantity, lines[shop["oil"].pk].snapshot_value) == (
        10,
        150_000_00,
    )
    assert lines[shop["rice"].pk].snapshot_quantity == 5000  # grams
    assert lines[shop["sugar"].pk].snapshot_quantity == 0
    assert count.number == 1 and count.state == "pending" and count.submitted_at is None
    assert AuditEvent.objects.filter(koperasi=koperasi, action="store.stock_count.started").exists()


def test_one_open_count_per_unit_and_only_officers_who_count(koperasi, shop):
    _start(koperasi, shop)
    with pytest.raises(StoreError, match="Stok opname unit ini masih terbuka"):
        _start(koperasi, shop, "manajer")
    assert StockCount.objects.filter(koperasi=koperasi).count() == 1
    with pytest.raises(PermissionDeniedError):
        counts.start_count(
            koperasi, actor=make_user("pengawas", koperasi), business_unit=shop["unit"]
        )


def test_counts_are_typed_in_the_items_unit_and_saved_in_sittings(koperasi, shop):
    counter, count = _start(koperasi, shop)
    oil, rice = _line(count, shop["oil"]), _line(count, shop["rice"])
    assert counts.save_counts(count, actor=counter, counts={str(oil.pk): "8"}) == 1
    assert (
        counts.save_counts(count, actor=counter, counts={str(rice.pk): "5,25", str(oil.pk): ""})
        == 1
    )
    oil.refresh_from_db()
    rice.refresh_from_db()
    assert (oil.counted, rice.counted) == (8, 5250)
    assert oil.counted_by_id == counter.pk


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "tidak boleh negatif"),
        ("1,5", "harus bilangan bulat"),
        ("dua", "tidak bisa dibaca"),
    ],
)
def test_a_bad_count_is_refused_and_nothing_is_saved(koperasi, shop, typed, message):
    counter, count = _start(koperasi, shop)
    oil, rice = _line(count, shop["oil"]), _line(count, shop["rice"])
    before = _written(koperasi)
    with pytest.raises(ItemErrors) as caught:
        counts.save_counts(count, actor=counter, counts={str(rice.pk): "4", str(oil.pk): typed})
    assert message in caught.value.message
    assert caught.value.errors[0][0] == f"line-{oil.pk}"
    assert caught.value.errors[0][1].startswith("Minyak goreng 1 liter: ")
    assert _written(koperasi) == before  # not even the good rice count


def test_submit_needs_every_item_counted_then_waits_in_the_inbox(koperasi, shop):
    counter, count = _start(koperasi, shop)
    lines = {k: _line(count, shop[k]) for k in ("oil", "rice", "sugar")}
    counts.save_counts(count, actor=counter, counts={str(lines["oil"].pk): "8"})
    before = _written(koperasi)
    with pytest.raises(StoreError, match="2 barang belum dihitung"):
        counts.submit_count(count, actor=counter)
    assert _written(koperasi) == before
    counts.save_counts(
        count, actor=counter,
        counts={str(lines["rice"].pk): "5,5", str(lines["sugar"].pk): "0"},
    )  # fmt: skip
    counts.submit_count(count, actor=counter, reason="Opname akhir bulan")
    count.refresh_from_db()
    # Oil 2 short at Rp15.000; rice 500 g over at Rp12.000/kg = Rp6.000.
    assert (count.shortage_value, count.surplus_value) == (30_000_00, 6_000_00)
    assert count.submitted_at is not None
    checker = make_user("ketua", koperasi)
    rows = registry.inbox(koperasi, checker, roles_for(checker, koperasi))
    assert [r.kind.name for r in rows] == ["store-stock-count"]
    assert rows[0].amount == 24_000_00
    assert registry.inbox(koperasi, counter, roles_for(counter, koperasi)) == []
    # Submitted: the sheet is closed.
    with pytest.raises(StoreError, match="sudah diajukan"):
        counts.save_counts(count, actor=counter, counts={str(lines["oil"].pk): "9"})


def _counted(koperasi, shop, typed: dict, who="kasir"):
    counter, count = _start(koperasi, shop, who)
    values = {str(_line(count, shop[k]).pk): v for k, v in typed.items()}
    counts.save_counts(count, actor=counter, counts=values)
    counts.submit_count(count, actor=counter)
    count.refresh_from_db()
    return counter, count


def test_approval_posts_the_differences_once_and_verify_still_passes(koperasi, shop):
    _counter, count = _counted(koperasi, shop, {"oil": "8", "rice": "5,5", "sugar": "0"})
    checker = make_user("bendahara", koperasi)
    counts.approve_count(count, actor=checker)
    count.refresh_from_db()
    assert count.state == "approved" and count.decided_by_id == checker.pk
    assert _position(koperasi, shop["oil"]) == (8, 120_000_00)
    assert _position(koperasi, shop["rice"]) == (5500, 66_000_00)
    lines = {
        (x.account.code, x.side, x.amount, x.subledger_ref, x.business_unit)
        for x in JournalLine.objects.filter(entry=count.entry).select_related("account")
    }
    assert lines == {
        ("1-1501", "C", 30_000_00, str(shop["oil"].pk), "sembako"),
        ("1-1501", "D", 6_000_00, str(shop["rice"].pk), "sembako"),
        ("5-2100", "D", 24_000_00, "", "sembako"),  # net selisih persediaan
    }
    kinds = dict(
        StockMovement.objects.filter(koperasi=koperasi, entry=count.entry).values_list(
            "item_id", "kind"
        )
    )
    assert kinds == {shop["oil"].pk: "adjustment_out", shop["rice"].pk: "adjustment_in"}
    assert _line(count, shop["oil"]).difference_value == -30_000_00
    assert check_stock(koperasi).ok, check_stock(koperasi).problems
    assert all(r.ok for r in verify_books(koperasi))
    assert AuditEvent.objects.filter(
        koperasi=koperasi, action="store.stock_count.approved", actor=checker
    ).exists()
    # Approving twice (the inbox clicked again, another officer at the same moment): 409.
    before = _written(koperasi)
    with pytest.raises(AlreadyDecidedError):
        counts.approve_count(count, actor=make_user("manajer", koperasi))
    assert _written(koperasi) == before


def test_the_officer_who_counted_cannot_approve_her_own_count(koperasi, shop):
    # A manajer may approve counts, but never one she started.
    maker, count = _counted(koperasi, shop, {"oil": "8", "rice": "5", "sugar": "0"}, "manajer")
    before = _written(koperasi)
    with pytest.raises(PermissionDeniedError, match="pengurus lain"):
        counts.approve_count(count, actor=maker)
    with pytest.raises(PermissionDeniedError):
        counts.approve_count(count, actor=make_user("kasir", koperasi))  # counts, not approves
    assert _written(koperasi) == before


def test_an_officer_who_typed_counts_cannot_decide_the_count(koperasi, shop):
    kasir, count = _start(koperasi, shop)
    helper = make_user("bendahara", koperasi)  # may approve counts, but helped count this one
    counts.save_counts(count, actor=helper, counts={str(_line(count, shop["oil"]).pk): "8"})
    values = {str(_line(count, shop[k]).pk): "0" for k in ("rice", "sugar")}
    values[str(_line(count, shop["rice"]).pk)] = "5"
    counts.save_counts(count, actor=kasir, counts=values)
    counts.submit_count(count, actor=kasir)
    assert registry.inbox(koperasi, helper, roles_for(helper, koperasi)) == []
    before = _written(koperasi)
    with pytest.raises(PermissionDeniedError, match="ikut menghitung"):
        counts.approve_count(count, actor=helper)
    with pytest.raises(PermissionDeniedError, match="ikut menghitung"):
        counts.reject_count(count, actor=helper, note="x")
    assert _written(koperasi) == before


def test_a_sale_during_the_count_is_not_undone(koperasi, shop):
    counter, count = _start(koperasi, shop)
    # The kasir sells 3 oil after the books were taken (10 -> 7); the shelf had 9 (1 lost).
    services.checkout(
        koperasi, actor=make_user("kasir", koperasi),
        lines=[{"item": shop["oil"], "quantity": 3}],
        payments=[Payment("cash", 54_000_00)], idempotency_key="sale-during-count",
    )  # fmt: skip
    values = {
        str(_line(count, shop["oil"]).pk): "9",
        str(_line(count, shop["rice"]).pk): "5",
        str(_line(count, shop["sugar"]).pk): "0",
    }
    counts.save_counts(count, actor=counter, counts=values)
    counts.submit_count(count, actor=counter)
    counts.approve_count(count, actor=make_user("ketua", koperasi))
    # 7 left after the sale, less the 1 the count found missing: 6 at Rp15.000.
    assert _position(koperasi, shop["oil"]) == (6, 90_000_00)
    assert check_stock(koperasi).ok


def test_a_shortage_larger_than_what_is_left_now_is_refused_whole(koperasi, shop):
    counter, count = _start(koperasi, shop)
    values = {
        str(_line(count, shop["oil"]).pk): "0",
        str(_line(count, shop["rice"]).pk): "5",
        str(_line(count, shop["sugar"]).pk): "0",
    }
    counts.save_counts(count, actor=counter, counts=values)
    counts.submit_count(count, actor=counter)
    services.checkout(
        koperasi, actor=make_user("kasir", koperasi),
        lines=[{"item": shop["oil"], "quantity": 4}],
        payments=[Payment("cash", 72_000_00)], idempotency_key="sale-after-submit",
    )  # fmt: skip
    before = _written(koperasi)
    with pytest.raises(StoreError, match=r"Minyak goreng 1 liter: .*Hitung ulang"):
        counts.approve_count(count, actor=make_user("ketua", koperasi))
    assert _written(koperasi) == before  # still pending, nothing posted


def test_rejection_is_recorded_and_the_unit_can_be_counted_again(koperasi, shop):
    _counter, count = _counted(koperasi, shop, {"oil": "8", "rice": "5", "sugar": "0"})
    entries = JournalEntry.objects.filter(koperasi=koperasi).count()
    checker = make_user("ketua", koperasi)
    counts.reject_count(count, actor=checker, note="Hitung ulang rak minyak")
    count.refresh_from_db()
    assert (count.state, count.decided_by_id, count.decision_note) == (
        "rejected",
        checker.pk,
        "Hitung ulang rak minyak",
    )
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == entries
    assert _position(koperasi, shop["oil"]) == (10, 150_000_00)
    event = AuditEvent.objects.get(koperasi=koperasi, action="store.stock_count.rejected")
    assert event.summary["note"] == "Hitung ulang rak minyak"
    _again, second = _start(koperasi, shop, "manajer")
    assert second.number == 2


def test_a_count_not_submitted_yet_can_be_cancelled_and_started_again(koperasi, shop):
    counter, count = _start(koperasi, shop)
    counts.cancel_count(count, actor=counter)
    assert (count.state, count.decided_by_id) == ("rejected", None)
    assert count.decision_note == "Dibatalkan sebelum diajukan."
    assert AuditEvent.objects.filter(
        koperasi=koperasi, action="store.stock_count.cancelled"
    ).exists()
    _again, second = _start(koperasi, shop)
    counts.save_counts(
        second, actor=counter,
        counts={str(line.pk): "0" for line in second.lines.exclude(item=shop["oil"])},
    )  # fmt: skip
    counts.save_counts(second, actor=counter, counts={str(_line(second, shop["oil"]).pk): "10"})
    counts.submit_count(second, actor=counter)
    before = _written(koperasi)
    with pytest.raises(StoreError, match="sudah diajukan"):
        counts.cancel_count(second, actor=counter)
    assert _written(koperasi) == before


def test_a_count_not_submitted_cannot_be_decided(koperasi, shop):
    _counter, count = _start(koperasi, shop)
    with pytest.raises(StoreError, match="belum diajukan"):
        counts.approve_count(count, actor=make_user("ketua", koperasi))
    with pytest.raises(StoreError, match="belum diajukan"):
        counts.reject_count(count, actor=make_user("ketua", koperasi), note="x")


def test_a_surplus_on_an_item_never_received_has_no_cost(koperasi, shop):
    counter, count = _start(koperasi, shop)
    values = {
        str(_line(count, shop["oil"]).pk): "10",
        str(_line(count, shop["rice"]).pk): "5",
        str(_line(count, shop["sugar"]).pk): "3",
    }
    counts.save_counts(count, actor=counter, counts=values)
    with pytest.raises(StoreError, match="Gula pasir 1 kg"):
        counts.submit_count(count, actor=counter)
    count.refresh_from_db()
    assert count.submitted_at is None


def test_a_count_that_agrees_posts_nothing(koperasi, shop):
    _counter, count = _counted(koperasi, shop, {"oil": "10", "rice": "5", "sugar": "0"})
    entries = JournalEntry.objects.filter(koperasi=koperasi).count()
    counts.approve_count(count, actor=make_user("ketua", koperasi))
    count.refresh_from_db()
    assert count.state == "approved" and count.entry is None
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == entries


# --- pages ---------------------------------------------------------------------------------


def _client(user) -> Client:
    return testing.login(Client(), user)


def _sheet_url(koperasi, count) -> str:
    return reverse("store:stock-count", kwargs={"slug": koperasi.slug, "stock_count_id": count.pk})


def test_the_count_sheet_saves_searches_and_shows_a_bad_count(koperasi, shop):
    kasir = make_user("kasir", koperasi)
    client = _client(kasir)
    response = client.post(
        reverse("store:stock-count-start", kwargs={"slug": koperasi.slug}), {"unit": "sembako"}
    )
    count = StockCount.objects.get(koperasi=koperasi)
    assert response.status_code == 302 and response.url == _sheet_url(koperasi, count)
    page = client.get(_sheet_url(koperasi, count)).content.decode()
    assert page.count('data-testid="count-input"') == 3
    assert "150.000" not in page and ">10<" not in page  # a blind count: no system quantity
    search = client.get(_sheet_url(koperasi, count), {"q": "beras"}).content.decode()
    assert search.count('data-testid="count-input"') == 1 and "Beras curah" in search
    oil, rice = _line(count, shop["oil"]), _line(count, shop["rice"])
    bad = client.post(_sheet_url(koperasi, count), {f"c-{oil.pk}": "-2", f"c-{rice.pk}": "4"})
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "Jumlah tidak boleh negatif." in body and 'aria-invalid="true"' in body
    assert StockCountLine.objects.filter(count=count, counted__isnull=False).count() == 0
    ok = client.post(_sheet_url(koperasi, count), {f"c-{oil.pk}": "8", "q": "", "page": "1"})
    assert ok.status_code == 302
    page = client.get(_sheet_url(koperasi, count)).content.decode()
    assert "1 dari 3 barang sudah dihitung" in page
    assert 'value="8"' in page
    todo = client.get(_sheet_url(koperasi, count), {"belum": "1"}).content.decode()
    assert todo.count('data-testid="count-input"') == 2


def test_submitting_from_the_page_and_deciding_from_the_count_page(koperasi, shop):
    kasir, count = _start(koperasi, shop)
    values = {
        f"c-{_line(count, shop['oil']).pk}": "9",
        f"c-{_line(count, shop['rice']).pk}": "5",
        f"c-{_line(count, shop['sugar']).pk}": "0",
    }
    client = _client(kasir)
    client.post(_sheet_url(koperasi, count), values)
    submit = reverse(
        "store:stock-count-submit", kwargs={"slug": koperasi.slug, "stock_count_id": count.pk}
    )
    assert client.post(submit).status_code == 302
    count.refresh_from_db()
    assert count.submitted_at is not None
    # The counter sees the differences but no decide buttons; the checker sees both.
    own = client.get(_sheet_url(koperasi, count)).content.decode()
    assert 'data-testid="difference"' in own and 'data-testid="decide"' not in own
    ketua = make_user("ketua", koperasi)
    shown = _client(ketua).get(_sheet_url(koperasi, count)).content.decode()
    assert "Rp 15.000" in shown and 'data-testid="decide"' in shown
    approve = reverse(
        "approvals:approve",
        kwargs={"slug": koperasi.slug, "approval_kind": "store-stock-count",
                "approval_item_id": count.pk},
    )  # fmt: skip
    response = _client(ketua).post(approve, {"next": _sheet_url(koperasi, count)}, follow=True)
    assert response.redirect_chain[-1][0] == _sheet_url(koperasi, count)
    count.refresh_from_db()
    assert count.state == "approved"
    assert _position(koperasi, shop["oil"]) == (9, 135_000_00)


def test_the_pages_follow_the_permissions(koperasi, shop):
    pengawas = _client(make_user("pengawas", koperasi))
    listing = pengawas.get(reverse("store:stock-count-list", kwargs={"slug": koperasi.slug}))
    assert (
        listing.status_code == 200 and 'data-testid="start-count"' not in listing.content.decode()
    )
    start = reverse("store:stock-count-start", kwargs={"slug": koperasi.slug})
    assert pengawas.post(start, {"unit": "sembako"}).status_code == 403
    assert not StockCount.objects.filter(koperasi=koperasi).exists()
    kasir = _client(make_user("kasir", koperasi))
    assert (
        'data-testid="start-count"'
        in kasir.get(
            reverse("store:stock-count-list", kwargs={"slug": koperasi.slug})
        ).content.decode()
    )


def test_the_demo_opname_posts_differences_and_the_books_agree(koperasi, shop):
    import random

    from kopdes.demo import demo_username
    from kopdes.store.demo_opname import add_stock_opname

    for role in ("kasir", "ketua"):
        make_user(role, koperasi, username=demo_username(koperasi.slug, role))
    add_stock_opname(koperasi, random.Random(3))
    count = StockCount.objects.get(koperasi=koperasi)
    assert count.state == "approved" and count.entry is not None
    assert count.shortage_value > 0
    assert StockMovement.objects.filter(koperasi=koperasi, entry=count.entry).count() >= 2
    assert check_stock(koperasi).ok
    assert all(r.ok for r in verify_books(koperasi))
    add_stock_opname(koperasi, random.Random(3))  # again: nothing more
    assert StockCount.objects.filter(koperasi=koperasi).count() == 1

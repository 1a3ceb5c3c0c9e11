"""Voids and returns of a sale through the approvals inbox: the proposal at the counter,
the second officer's approval posting the reversal (revenue back, HPP into Persediaan at
the sale's cost, the refund from Kas or off the bon) with stock movements of kind
sale_return in one transaction, rejection recorded, four eyes, decided once (a PostgreSQL
race of two approvals: one wins, the other 409), and every bad input refused with
nothing written; ``kopdes verify``'s stock check still passing."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from kopdes.domain.sale import Payment
from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.verification import verify_books
from kopdes.platform.approvals.services import AlreadyDecidedError
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import ConflictError, PermissionDeniedError
from kopdes.platform.core.testing import login, make_koperasi, make_user
from kopdes.savings.testing import active_member
from kopdes.store import services
from kopdes.store.models import (
    Sale,
    SaleReturn,
    SaleReturnLine,
    StockMovement,
    StockPosition,
)
from kopdes.store.testing import make_item, manajer
from kopdes.store.verification import check_stock

pytestmark = pytest.mark.django_db


def _stocked(koperasi, quantity=10, cost=None, **kwargs):
    item = make_item(koperasi, **kwargs)  # member Rp17.500, public Rp18.000
    services.receive_stock(
        koperasi, actor=manajer(koperasi), item=item, quantity=quantity,
        cost=cost if cost is not None else quantity * 15_000_00,
        idempotency_key=f"r-{item.pk}",
    )  # fmt: skip
    return item


def _sale(koperasi, kasir, lines, payments, member=None, key="s1"):
    return services.checkout(
        koperasi, actor=kasir, member=member, payments=payments, idempotency_key=key,
        lines=[{"item": item, "quantity": q} for item, q in lines],
    )  # fmt: skip


def _lines(entry):
    return sorted(
        (x.account.code, x.side, x.amount)
        for x in JournalLine.objects.filter(entry=entry).select_related("account")
    )


def _counts(koperasi):
    return (
        SaleReturn.objects.filter(koperasi=koperasi).count(),
        SaleReturnLine.objects.filter(koperasi=koperasi).count(),
        JournalEntry.objects.filter(koperasi=koperasi).count(),
        StockMovement.objects.filter(koperasi=koperasi).count(),
        AuditEvent.objects.filter(koperasi=koperasi).count(),
        tuple(
            SaleReturn.objects.filter(koperasi=koperasi)
            .order_by("id")
            .values_list("state", "decided_by_id")
        ),
        tuple(
            StockPosition.objects.filter(koperasi=koperasi)
            .order_by("item_id")
            .values_list("quantity", "value")
        ),
    )


@pytest.fixture
def kasir(koperasi):
    return make_user("kasir", koperasi)


@pytest.fixture
def checker(koperasi):
    return make_user("bendahara", koperasi)


def test_an_approved_void_reverses_the_sale_and_puts_the_goods_back(koperasi, kasir, checker):
    oil = _stocked(koperasi, 3, 3 * 15_000_00 + 1)  # an average with a remainder
    before = StockPosition.objects.get(item=oil)
    sale = _sale(koperasi, kasir, [(oil, 2)], [Payment("cash", 50_000_00)])
    proposal = services.propose_void(sale, actor=kasir, reason="Pembeli batal")
    assert (proposal.kind, proposal.state, proposal.amount) == ("void", "pending", 36_000_00)
    assert StockPosition.objects.get(item=oil).quantity == 1  # nothing moves before approval
    done = services.approve_sale_return(proposal, actor=checker)
    assert (done.state, done.decided_by, done.cost) == ("approved", checker, sale.cost)
    assert (done.cash_refund, done.bon_refund) == (36_000_00, 0)
    # The entry mirrors the sale's and says so.
    assert done.entry.reverses_id == sale.entry_id
    flipped = sorted((code, "C" if side == "D" else "D", amount)
                     for code, side, amount in _lines(sale.entry))  # fmt: skip
    assert _lines(done.entry) == flipped
    position = StockPosition.objects.get(item=oil)
    assert (position.quantity, position.value) == (before.quantity, before.value)
    back = StockMovement.objects.get(sale_return=done)
    assert (back.kind, back.quantity, back.value) == ("sale_return", 2, sale.cost)
    assert AuditEvent.objects.filter(action="store.sale_void.approved").count() == 1
    assert check_stock(koperasi).ok
    assert all(r.ok for r in verify_books(koperasi))


def test_partial_returns_bring_back_exactly_the_sales_cost(koperasi, kasir, checker):
    oil = _stocked(koperasi, 3, 45_000_01)  # 3 at Rp15.000,00333...
    sale = _sale(koperasi, kasir, [(oil, 3)], [Payment("cash", 54_000_00)])
    line = sale.lines.get()
    assert line.cost == 45_000_01
    first = services.propose_return(sale, actor=kasir, quantities={line.pk: "1"}, reason="Bocor")
    assert first.amount == 18_000_00
    first = services.approve_sale_return(first, actor=checker)
    assert first.cost == 15_000_00  # round_half_up(45.000,01 x 1/3)
    # Revenue back (non-member), HPP out, Persediaan in, cash refunded from the gerai's Kas.
    assert _lines(first.entry) == sorted(
        [
            ("4-1201", "D", 18_000_00),
            ("5-1201", "C", 15_000_00),
            ("1-1501", "D", 15_000_00),
            ("1-1101", "C", 18_000_00),
        ]
    )
    second = services.propose_return(sale, actor=kasir, quantities={line.pk: 2}, reason="Bocor")
    second = services.approve_sale_return(second, actor=checker)
    assert first.cost + second.cost == line.cost  # every sen of the HPP, no more
    assert first.amount + second.amount == line.net
    position = StockPosition.objects.get(item=oil)
    assert (position.quantity, position.value) == (3, 45_000_01)
    assert services.returned_quantities(sale) == {line.pk: 3}
    assert check_stock(koperasi).ok
    assert all(r.ok for r in verify_books(koperasi))


def test_a_return_of_a_bon_sale_takes_it_off_the_members_bon_first(koperasi, kasir, checker):
    oil = _stocked(koperasi)
    member = active_member(koperasi)
    sale = _sale(
        koperasi, kasir, [(oil, 3)], [Payment("cash", 12_500_00), Payment("bon", 40_000_00)],
        member=member,
    )  # fmt: skip
    assert services.current_bon(koperasi, member) == 40_000_00
    line = sale.lines.get()
    rv = services.propose_return(sale, actor=kasir, quantities={line.pk: 2}, reason="Rusak")
    rv = services.approve_sale_return(rv, actor=checker)
    assert (rv.amount, rv.bon_refund, rv.cash_refund) == (35_000_00, 35_000_00, 0)
    assert ("1-1400", "C", 35_000_00) in _lines(rv.entry)
    assert ("4-1101", "D", 35_000_00) in _lines(rv.entry)  # member revenue
    assert services.current_bon(koperasi, member) == 5_000_00
    # The last one: Rp5.000 of bon left on the sale, the rest in cash.
    rv = services.propose_return(sale, actor=kasir, quantities={line.pk: 1}, reason="Rusak")
    rv = services.approve_sale_return(rv, actor=checker)
    assert (rv.bon_refund, rv.cash_refund) == (5_000_00, 12_500_00)
    assert services.current_bon(koperasi, member) == 0
    assert all(r.ok for r in verify_books(koperasi))


def test_a_voided_bon_sale_clears_the_bon(koperasi, kasir, checker):
    oil = _stocked(koperasi)
    member = active_member(koperasi)
    sale = _sale(koperasi, kasir, [(oil, 1)], [Payment("bon", 17_500_00)], member=member)
    rv = services.approve_sale_return(
        services.propose_void(sale, actor=kasir, reason="Salah anggota"), actor=checker
    )
    assert (rv.bon_refund, rv.cash_refund) == (17_500_00, 0)
    assert services.current_bon(koperasi, member) == 0


def test_returning_more_than_sold_is_refused_and_writes_nothing(koperasi, kasir, checker):
    oil = _stocked(koperasi)
    sale = _sale(koperasi, kasir, [(oil, 2)], [Payment("cash", 36_000_00)])
    line = sale.lines.get()
    before = _counts(koperasi)
    with pytest.raises(services.StoreError) as caught:
        services.propose_return(sale, actor=kasir, quantities={line.pk: 3}, reason="Rusak")
    assert "Retur melebihi yang terjual: terjual 2" in caught.value.message
    assert _counts(koperasi) == before
    services.approve_sale_return(
        services.propose_return(sale, actor=kasir, quantities={line.pk: 1}, reason="Rusak"),
        actor=checker,
    )
    before = _counts(koperasi)
    with pytest.raises(services.StoreError) as caught:
        services.propose_return(sale, actor=kasir, quantities={line.pk: 2}, reason="Rusak")
    assert "sudah diretur 1, sisa yang boleh diretur 1" in caught.value.message
    assert _counts(koperasi) == before


@pytest.mark.parametrize(
    ("quantities", "reason", "message"),
    [
        ({}, "Rusak", "Isi jumlah retur untuk sedikitnya satu barang."),
        ({"line": ""}, "Rusak", "Isi jumlah retur untuk sedikitnya satu barang."),
        ({"line": "0"}, "Rusak", "Isi jumlah retur untuk sedikitnya satu barang."),
        ({"line": "-1"}, "Rusak", "Jumlah tidak boleh negatif."),
        ({"line": "1,5"}, "Rusak", "bilangan bulat"),
        ({"line": "dua"}, "Rusak", "bukan angka"),
        ({"line": 1}, "  ", "Silakan tulis alasannya."),
        ({"other": 1}, "Rusak", "Baris itu bukan bagian dari penjualan ini."),
    ],
)
def test_bad_return_input_is_refused_and_writes_nothing(koperasi, kasir, quantities, reason,
                                                        message):  # fmt: skip
    oil = _stocked(koperasi)
    sale = _sale(koperasi, kasir, [(oil, 2)], [Payment("cash", 36_000_00)])
    line = sale.lines.get()
    mapping = {(line.pk if k == "line" else "00000000-0000-0000-0000-000000000000"): v
               for k, v in quantities.items()}  # fmt: skip
    before = _counts(koperasi)
    with pytest.raises(services.StoreError) as caught:
        services.propose_return(sale, actor=kasir, quantities=mapping, reason=reason)
    assert message in caught.value.message
    assert _counts(koperasi) == before


def test_voiding_a_voided_sale_and_other_wrong_voids_are_refused(koperasi, kasir, checker):
    oil = _stocked(koperasi)
    sale = _sale(koperasi, kasir, [(oil, 2)], [Payment("cash", 36_000_00)])
    proposal = services.propose_void(sale, actor=kasir, reason="Salah input")
    before = _counts(koperasi)
    with pytest.raises(services.StoreError) as caught:  # one waits already
        services.propose_void(sale, actor=kasir, reason="Salah input")
    assert caught.value.message == "Pembatalan atau retur penjualan ini masih menunggu persetujuan."
    assert _counts(koperasi) == before
    services.approve_sale_return(proposal, actor=checker)
    before = _counts(koperasi)
    for propose in (
        lambda: services.propose_void(sale, actor=kasir, reason="Lagi"),
        lambda: services.propose_return(
            sale, actor=kasir, quantities={sale.lines.get().pk: 1}, reason="Lagi"
        ),
    ):
        with pytest.raises(services.StoreError) as caught:
            propose()
        assert caught.value.message == "Penjualan ini sudah dibatalkan (void)."
    assert _counts(koperasi) == before
    # A sale of another day is returned, not voided; a partly returned sale neither.
    old = _sale(koperasi, kasir, [(oil, 2)], [Payment("cash", 36_000_00)], key="old")
    Sale.objects.filter(pk=old.pk).update(date=koperasi.today() - dt.timedelta(days=1))
    old.refresh_from_db()
    with pytest.raises(services.StoreError) as caught:
        services.propose_void(old, actor=kasir, reason="Salah")
    assert "hanya dapat dibatalkan (void) pada hari yang sama" in caught.value.message
    part = _sale(koperasi, kasir, [(oil, 2)], [Payment("cash", 36_000_00)], key="part")
    services.approve_sale_return(
        services.propose_return(part, actor=kasir, quantities={part.lines.get().pk: 1},
                                reason="Rusak"),
        actor=checker,
    )  # fmt: skip
    with pytest.raises(services.StoreError) as caught:
        services.propose_void(part, actor=kasir, reason="Salah")
    assert caught.value.message.startswith("Sebagian penjualan ini sudah diretur")


def test_four_eyes_decided_once_and_who_may(koperasi, kasir, checker):
    oil = _stocked(koperasi)
    sale = _sale(koperasi, kasir, [(oil, 2)], [Payment("cash", 36_000_00)])
    boss = manajer(koperasi)  # may propose and approve: never her own
    proposal = services.propose_void(sale, actor=boss, reason="Salah input")
    before = _counts(koperasi)
    with pytest.raises(PermissionDeniedError) as caught:
        services.approve_sale_return(proposal, actor=boss)
    assert "harus pengurus lain" in caught.value.message
    with pytest.raises(PermissionDeniedError):  # the kasir may propose, not approve
        services.approve_sale_return(proposal, actor=kasir)
    with pytest.raises(PermissionDeniedError):  # the pengawas neither
        services.propose_void(sale, actor=make_user("pengawas", koperasi), reason="x")
    assert _counts(koperasi) == before
    services.approve_sale_return(proposal, actor=checker)
    before = _counts(koperasi)
    with pytest.raises(AlreadyDecidedError):
        services.approve_sale_return(proposal, actor=make_user("ketua", koperasi))
    with pytest.raises(AlreadyDecidedError):
        services.reject_sale_return(proposal, actor=make_user("ketua", koperasi), reason="x")
    assert _counts(koperasi) == before


def test_a_rejection_is_recorded_and_moves_nothing(koperasi, kasir, checker):
    oil = _stocked(koperasi)
    sale = _sale(koperasi, kasir, [(oil, 2)], [Payment("cash", 36_000_00)])
    proposal = services.propose_return(
        sale, actor=kasir, quantities={sale.lines.get().pk: 1}, reason="Rusak"
    )
    entries = JournalEntry.objects.filter(koperasi=koperasi).count()
    done = services.reject_sale_return(proposal, actor=checker, reason="Barang masih baik")
    done.refresh_from_db()
    assert (done.state, done.decided_by, done.decision_note) == (
        "rejected", checker, "Barang masih baik",
    )  # fmt: skip
    assert done.entry is None
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == entries
    assert StockPosition.objects.get(item=oil).quantity == 8
    event = AuditEvent.objects.get(action="store.sale_return.rejected")
    assert event.summary["note"] == "Barang masih baik"
    # Rejected: the quantity may be proposed again.
    again = services.propose_return(
        sale, actor=kasir, quantities={sale.lines.get().pk: 2}, reason="Rusak semua"
    )
    assert again.state == "pending"


def test_the_sale_page_shows_its_voids_and_returns_and_proposes(client, koperasi, kasir, checker):
    oil = _stocked(koperasi)
    sale = _sale(koperasi, kasir, [(oil, 2)], [Payment("cash", 36_000_00)])
    line = sale.lines.get()
    url = reverse("store:sale-detail", kwargs={"slug": koperasi.slug, "sale_id": sale.pk})
    post = reverse("store:sale-return", kwargs={"slug": koperasi.slug, "sale_id": sale.pk})
    login(client, kasir)
    page = client.get(url).content.decode()
    assert 'data-testid="return-form"' in page and 'data-testid="void-form"' in page
    assert 'data-testid="no-returns"' in page
    bad = client.post(post, {"action": "return", f"qty-{line.pk}": "5", "reason": "Rusak"},
                      follow=True)  # fmt: skip
    assert "Retur melebihi yang terjual" in bad.content.decode()
    assert not SaleReturn.objects.exists()
    assert client.get(post).status_code == 405
    done = client.post(
        post, {"action": "return", f"qty-{line.pk}": "1", "reason": "Rusak"}, follow=True
    )
    assert done.redirect_chain[-1][0] == url
    body = done.content.decode()
    assert "Retur diajukan" in body and "Menunggu persetujuan" in body
    assert 'data-testid="approve"' not in body  # not hers to decide
    proposal = SaleReturn.objects.get()
    # The checker decides on the same page through the inbox's one approve form.
    login(client, checker)
    page = client.get(url).content.decode()
    approve = reverse(
        "approvals:approve",
        kwargs={"slug": koperasi.slug, "approval_kind": "store-return",
                "approval_item_id": proposal.pk},
    )  # fmt: skip
    assert approve in page
    decided = client.post(approve, {"next": url}, follow=True)
    assert decided.redirect_chain[-1][0] == url
    proposal.refresh_from_db()
    assert proposal.state == "approved" and proposal.entry is not None
    assert "Disetujui" in decided.content.decode()
    # The kind's scope: the void URL never reaches a return.
    wrong = reverse(
        "approvals:approve",
        kwargs={"slug": koperasi.slug, "approval_kind": "store-void",
                "approval_item_id": proposal.pk},
    )  # fmt: skip
    assert client.post(wrong).status_code == 404
    # Find a sale by its number.
    find = reverse("store:sale-find", kwargs={"slug": koperasi.slug})
    assert client.get(find, {"nomor": str(sale.number)}).url == url
    assert (
        "Tidak ada penjualan dengan nomor ini."
        in client.get(find, {"nomor": "999"}, follow=True).content.decode()
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_two_approvals_at_once_one_wins_the_other_gets_409(db):
    if connection.vendor != "postgresql":
        pytest.skip("thread concurrency runs on PostgreSQL (SQLite serialises BEGIN IMMEDIATE)")
    koperasi = make_koperasi()
    oil = _stocked(koperasi)
    kasir = make_user("kasir", koperasi)
    sale = _sale(koperasi, kasir, [(oil, 2)], [Payment("cash", 36_000_00)])
    proposal = services.propose_void(sale, actor=kasir, reason="Salah input")
    officers = [make_user("ketua", koperasi), make_user("bendahara", koperasi)]
    barrier = threading.Barrier(2)

    def approve(i):
        try:
            barrier.wait(timeout=30)
            return services.approve_sale_return(
                SaleReturn.objects.get(pk=proposal.pk), actor=officers[i]
            )
        except ConflictError as exc:
            return exc
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(approve, range(2)))
    won = [r for r in results if isinstance(r, SaleReturn)]
    lost = [r for r in results if isinstance(r, ConflictError)]
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], AlreadyDecidedError) and lost[0].status == 409
    assert JournalEntry.objects.filter(koperasi=koperasi, source="store.sale_return").count() == 1
    assert StockMovement.objects.filter(koperasi=koperasi, kind="sale_return").count() == 1
    assert StockPosition.objects.get(item=oil).quantity == 10
    assert check_stock(koperasi).ok

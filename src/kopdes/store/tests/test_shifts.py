"""Cash shifts: opening with a float, sales linked to the open shift, closing with the
counted cash (expected = float + cash kept from sales - cash refunds), the difference
posted (kas kurang to Beban lain-lain, kas lebih to Pendapatan lain-lain), every refusal
writing nothing (closing twice, a count negative or not money, a second open shift), the
pages (the POS asks for a shift, the terbilang check before closing) and who sees what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopdes.domain.sale import Payment
from kopdes.ledger.models import JournalEntry, JournalLine
from kopdes.ledger.verification import verify_books
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.core.testing import login, make_user
from kopdes.store import services
from kopdes.store.models import CashShift, Sale
from kopdes.store.testing import make_item, manajer, on_shift

pytestmark = pytest.mark.django_db


def _stocked(koperasi, quantity=10):
    item = make_item(koperasi)  # public price Rp18.000
    services.receive_stock(
        koperasi, actor=manajer(koperasi), item=item, quantity=quantity,
        cost=quantity * 15_000_00, idempotency_key=f"r-{item.pk}",
    )  # fmt: skip
    return item


def _sell(koperasi, actor, item, quantity=1, cash=20_000_00, key=None):
    return services.checkout(
        koperasi, actor=actor, lines=[{"item": item, "quantity": quantity}],
        payments=[Payment("cash", cash)], idempotency_key=key or f"s-{Sale.objects.count()}",
    )  # fmt: skip


def _counts(koperasi):
    return (
        CashShift.objects.filter(koperasi=koperasi).count(),
        JournalEntry.objects.filter(koperasi=koperasi).count(),
        AuditEvent.objects.filter(koperasi=koperasi).count(),
        tuple(
            CashShift.objects.filter(koperasi=koperasi)
            .order_by("id")
            .values_list("state", "counted", "difference")
        ),
    )


def _lines(entry):
    return {
        (x.account.code, x.side, x.amount)
        for x in JournalLine.objects.filter(entry=entry).select_related("account")
    }


def test_open_a_shift_with_a_float_and_sales_are_linked_to_it(koperasi):
    item = _stocked(koperasi)
    kasir = make_user("kasir", koperasi)
    shift = services.open_shift(koperasi, actor=kasir, till="Kasir 1", opening_float=200_000_00)
    assert (shift.state, shift.opening_float, shift.till) == ("open", 200_000_00, "Kasir 1")
    assert shift.business_unit.kind == "sembako"
    assert AuditEvent.objects.filter(action="store.shift.opened", object_id=str(shift.pk)).exists()
    assert services.open_shift_of(koperasi, kasir) == shift
    mine = _sell(koperasi, kasir, item, 1, cash=50_000_00)  # Rp18.000, change Rp32.000
    other = _sell(koperasi, manajer(koperasi), item, 1)  # no shift open for her
    assert Sale.objects.get(pk=mine.pk).shift_id == shift.pk
    assert Sale.objects.get(pk=other.pk).shift_id is None
    figures = services.shift_figures(shift)
    assert figures["cash_sales"] == 18_000_00  # what the drawer kept: tendered less change
    assert (figures["cash_tendered"], figures["change"]) == (50_000_00, 32_000_00)
    assert figures["expected"] == 218_000_00
    assert figures["sales"] == 1


def test_closing_with_the_exact_count_posts_nothing(koperasi):
    item = _stocked(koperasi)
    kasir = on_shift(koperasi)
    shift = services.open_shift_of(koperasi, kasir)
    _sell(koperasi, kasir, item, 2, cash=40_000_00)  # Rp36.000
    entries = JournalEntry.objects.filter(koperasi=koperasi).count()
    closed = services.close_shift(shift, actor=kasir, counted=136_000_00)
    assert (closed.state, closed.expected, closed.counted, closed.difference) == (
        "closed", 136_000_00, 136_000_00, 0,
    )  # fmt: skip
    assert closed.entry is None and closed.cash_sales == 36_000_00
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == entries
    event = AuditEvent.objects.get(action="store.shift.closed", object_id=str(shift.pk))
    assert event.summary["difference"] == 0 and event.summary["selisih"] == "none"
    assert services.open_shift_of(koperasi, kasir) is None
    # After closing, her sales belong to no shift (the POS page asks her to open one).
    assert _sell(koperasi, kasir, item, 1).shift_id is None


def test_a_shortage_is_posted_to_beban_lain_lain_and_a_surplus_to_pendapatan_lain_lain(
    koperasi,
):
    item = _stocked(koperasi)
    kasir = on_shift(koperasi)
    short = services.close_shift(
        services.open_shift_of(koperasi, kasir), actor=kasir, counted=95_500_00
    )
    assert short.difference == -4_500_00
    assert _lines(short.entry) == {("5-9000", "D", 4_500_00), ("1-1101", "C", 4_500_00)}
    assert short.entry.source == "store.shift"
    services.open_shift(koperasi, actor=kasir, till="Kasir 2", opening_float=50_000_00)
    _sell(koperasi, kasir, item, 1, cash=18_000_00)
    over = services.close_shift(
        services.open_shift_of(koperasi, kasir), actor=kasir, counted=70_000_00
    )
    assert (over.expected, over.difference) == (68_000_00, 2_000_00)
    assert _lines(over.entry) == {("1-1101", "D", 2_000_00), ("4-9000", "C", 2_000_00)}
    assert all(r.ok for r in verify_books(koperasi))


def test_closing_twice_is_refused_and_writes_nothing(koperasi):
    kasir = on_shift(koperasi)
    shift = services.open_shift_of(koperasi, kasir)
    services.close_shift(shift, actor=kasir, counted=90_000_00)
    before = _counts(koperasi)
    with pytest.raises(services.StoreError) as caught:
        services.close_shift(shift, actor=kasir, counted=100_000_00)
    assert caught.value.message == "Shift ini sudah ditutup."
    assert _counts(koperasi) == before


@pytest.mark.parametrize(
    ("counted", "message"),
    [
        (-1, "Hasil hitung kas tidak boleh negatif."),
        (1.5, "Hasil hitung kas harus bilangan bulat sen."),
        ("100.000", "Hasil hitung kas harus bilangan bulat sen."),
        (None, "Hasil hitung kas harus bilangan bulat sen."),
    ],
)
def test_a_count_that_is_negative_or_not_money_is_refused(koperasi, counted, message):
    kasir = on_shift(koperasi)
    shift = services.open_shift_of(koperasi, kasir)
    before = _counts(koperasi)
    with pytest.raises(services.StoreError) as caught:
        services.close_shift(shift, actor=kasir, counted=counted)
    assert caught.value.message == message
    assert _counts(koperasi) == before


def test_one_open_shift_per_cashier_and_per_till(koperasi):
    kasir = on_shift(koperasi, till="Kasir 1")
    before = _counts(koperasi)
    with pytest.raises(services.StoreError) as caught:
        services.open_shift(koperasi, actor=kasir, till="Kasir 2", opening_float=0)
    assert "masih punya shift yang terbuka" in caught.value.message
    other = make_user("kasir", koperasi)
    with pytest.raises(services.StoreError) as caught:
        services.open_shift(koperasi, actor=other, till="kasir 1", opening_float=0)
    assert "Laci kasir Kasir 1 masih punya shift terbuka" in caught.value.message
    assert _counts(koperasi) == before


@pytest.mark.parametrize(
    ("till", "opening_float", "message"),
    [
        ("Kasir 1", -100, "Modal awal kas tidak boleh negatif."),
        ("Kasir 1", "200.000", "Modal awal kas harus bilangan bulat sen."),
        ("Kasir 1", True, "Modal awal kas harus bilangan bulat sen."),
        ("   ", 0, "Silakan isi Laci kasir."),
        ("K" * 41, 0, "Laci kasir paling banyak 40 karakter."),
    ],
)
def test_bad_input_when_opening_is_refused(koperasi, till, opening_float, message):
    make_item(koperasi)
    kasir = make_user("kasir", koperasi)
    before = _counts(koperasi)
    with pytest.raises(services.StoreError) as caught:
        services.open_shift(koperasi, actor=kasir, till=till, opening_float=opening_float)
    assert caught.value.message == message
    assert _counts(koperasi) == before


def test_who_may_open_and_close(koperasi):
    make_item(koperasi)
    with pytest.raises(PermissionDeniedError):
        services.open_shift(
            koperasi, actor=make_user("pengawas", koperasi), till="Kasir 1", opening_float=0
        )
    kasir = on_shift(koperasi)
    shift = services.open_shift_of(koperasi, kasir)
    with pytest.raises(services.StoreError) as caught:
        services.close_shift(shift, actor=make_user("kasir", koperasi), counted=100_000_00)
    assert caught.value.message == "Hanya kasir shift ini yang boleh menutupnya."
    # The manajer closes a shift a kasir left open.
    boss = manajer(koperasi)
    closed = services.close_shift(shift, actor=boss, counted=100_000_00)
    assert closed.state == "closed" and closed.closed_by == boss


def test_a_cash_refund_leaves_the_drawer_of_the_proposers_shift(koperasi):
    item = _stocked(koperasi)
    kasir = on_shift(koperasi)
    sale = _sell(koperasi, kasir, item, 2, cash=36_000_00)
    proposal = services.propose_return(
        sale, actor=kasir, quantities={sale.lines.get().pk: 1}, reason="Kemasan bocor"
    )
    services.approve_sale_return(proposal, actor=make_user("bendahara", koperasi))
    shift = services.open_shift_of(koperasi, kasir)
    figures = services.shift_figures(shift)
    assert (figures["cash_sales"], figures["cash_refunds"]) == (36_000_00, 18_000_00)
    assert figures["expected"] == 100_000_00 + 36_000_00 - 18_000_00
    closed = services.close_shift(shift, actor=kasir, counted=118_000_00)
    assert closed.difference == 0 and closed.cash_refunds == 18_000_00


# --- pages -------------------------------------------------------------------------------


def _url(name, koperasi, **kwargs):
    return reverse(f"store:{name}", kwargs={"slug": koperasi.slug, **kwargs})


def test_the_point_of_sale_asks_to_open_a_shift_first(client, koperasi):
    make_item(koperasi)
    kasir = make_user("kasir", koperasi)
    login(client, kasir)
    for name in ("pos", "pos-pay"):
        response = client.get(_url(name, koperasi), follow=True)
        assert response.redirect_chain[-1][0] == _url("shift", koperasi)
        assert "Buka shift kasir Anda dulu sebelum berjualan." in response.content.decode()
    # A float typed as rupiah opens it; then the counter is open.
    bad = client.post(_url("shift", koperasi), {"till": "Kasir 1", "opening_float": "2 juta"})
    assert "tidak boleh memakai kata" in bad.content.decode()
    assert not CashShift.objects.filter(koperasi=koperasi).exists()
    done = client.post(_url("shift", koperasi), {"till": "Kasir 1", "opening_float": "150.000"})
    assert done.status_code == 302 and done.url == _url("pos", koperasi)
    shift = CashShift.objects.get(koperasi=koperasi)
    assert (shift.cashier, shift.opening_float) == (kasir, 150_000_00)
    page = client.get(_url("pos", koperasi)).content.decode()
    assert "Shift terbuka di Kasir 1" in page


def test_closing_on_the_page_checks_the_count_in_words_then_posts(client, koperasi):
    item = _stocked(koperasi)
    kasir = on_shift(koperasi)
    _sell(koperasi, kasir, item, 1, cash=18_000_00)
    shift = services.open_shift_of(koperasi, kasir)
    login(client, kasir)
    url = _url("shift-close", koperasi, shift_id=shift.pk)
    page = client.get(url).content.decode()
    assert "Rp 118.000" in page  # expected
    for bad, message in (("-5.000", "Jumlah tidak boleh negatif."), ("abc", "tidak bisa dibaca")):
        body = client.post(url, {"action": "confirm", "counted": bad}).content.decode()
        assert message in body
    review = client.post(url, {"action": "review", "counted": "117.500"}).content.decode()
    assert "seratus tujuh belas ribu lima ratus rupiah" in review.lower()
    assert "-Rp 500" in review
    assert "kas kurang" in review
    assert CashShift.objects.get(pk=shift.pk).state == "open"  # nothing before confirming
    done = client.post(url, {"action": "confirm", "counted": "117.500"}, follow=True)
    assert done.redirect_chain[-1][0] == _url("shift", koperasi)
    shift.refresh_from_db()
    assert (shift.state, shift.difference) == ("closed", -500_00)
    again = client.post(url, {"action": "confirm", "counted": "117.500"}).content.decode()
    assert "Shift ini sudah ditutup." in again
    assert JournalEntry.objects.filter(source="store.shift").count() == 1


def test_the_pengawas_sees_every_shift_with_its_difference(client, koperasi):
    kasir = on_shift(koperasi, till="Kasir 1")
    services.close_shift(services.open_shift_of(koperasi, kasir), actor=kasir, counted=97_000_00)
    on_shift(koperasi, till="Kasir 2")
    login(client, make_user("pengawas", koperasi))
    page = client.get(_url("shift-list", koperasi))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('data-testid="shift-row"') == 2
    assert "kas kurang" in body and "Kasir 2" in body and "terbuka" in body
    only = client.get(_url("shift-list", koperasi) + "?selisih=yes").content.decode()
    assert only.count('data-testid="shift-row"') == 1
    assert _url("shift-list", koperasi) in client.get(_url("catalog", koperasi)).content.decode()
    # The pengawas neither opens nor closes a shift; the kasir does not see the list.
    assert client.get(_url("shift", koperasi)).status_code == 403
    login(client, kasir)
    assert client.get(_url("shift-list", koperasi)).status_code == 403
    # Another kasir cannot open someone else's shift to close it.
    other = services.open_shift_of(koperasi, make_user("kasir", koperasi))
    assert other is None
    second = CashShift.objects.get(koperasi=koperasi, till="Kasir 2")
    login(client, make_user("kasir", koperasi))
    assert client.get(_url("shift-close", koperasi, shift_id=second.pk)).status_code == 404


def test_bon_repaid_in_cash_at_her_till_counts_in_the_drawer(koperasi):
    from kopdes.savings.testing import active_member

    item = _stocked(koperasi)
    member = active_member(koperasi)
    seller = manajer(koperasi)
    services.checkout(
        koperasi, actor=seller, member=member, lines=[{"item": item, "quantity": 2}],
        payments=[Payment("bon", 35_000_00)], idempotency_key="bon-sale",
    )  # fmt: skip
    kasir = on_shift(koperasi)
    services.repay_bon(
        koperasi, actor=kasir, member=member, amount=20_000_00, idempotency_key="bon-1"
    )
    services.repay_bon(  # at another officer's till: not in her drawer
        koperasi, actor=seller, member=member, amount=5_000_00, idempotency_key="bon-2"
    )
    figures = services.shift_figures(services.open_shift_of(koperasi, kasir))
    assert (figures["cash_in"], figures["expected"]) == (20_000_00, 120_000_00)
    closed = services.close_shift(
        services.open_shift_of(koperasi, kasir), actor=kasir, counted=120_000_00
    )
    assert closed.difference == 0


def test_another_apps_cash_source_counts_in_the_drawer(koperasi):
    """An app whose counter pays cash out (a member's harvest bought at the till...)
    registers a source; its cash leaves the expected cash of that shift only."""
    from kopdes.store.services import shifts

    kasir = on_shift(koperasi)
    mine = services.open_shift_of(koperasi, kasir)
    other = services.open_shift_of(koperasi, on_shift(koperasi))

    def harvest(shift):
        return (0, 30_000_00) if shift.pk == mine.pk else (0, 0)

    shifts.register_cash_source(harvest)
    try:
        assert services.shift_figures(mine)["expected"] == 70_000_00
        assert services.shift_figures(other)["expected"] == 100_000_00
        closed = services.close_shift(mine, actor=kasir, counted=70_000_00)
        assert (closed.expected, closed.difference) == (70_000_00, 0)
    finally:
        shifts.CASH_SOURCES.remove(harvest)

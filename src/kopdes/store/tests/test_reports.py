"""The store's reports (issue 15 section 7): sales per day, item, category and unit with
the gross margin, members' and non-members' sales agreeing with the ledger's 4-11x/4-12x
and 5-11x/5-12x accounts, payment methods; each page, PDF and XLSX read back; bad input
answered in Indonesian; who may open them; the reports index; the dashboard tile."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from kopdes.domain.sale import Payment
from kopdes.ledger.models import AccountBalance
from kopdes.ledger.testing import post_simple
from kopdes.platform.core.testing import login, make_user
from kopdes.savings.testing import active_member
from kopdes.store import reports, services
from kopdes.store.models import BusinessUnit
from kopdes.store.testing import make_item, manajer, running_unit

pytestmark = pytest.mark.django_db


def _url(name, koperasi, **query):
    url = reverse(f"store:{name}", kwargs={"slug": koperasi.slug})
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _d(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


class Shop:
    """Three sales over three days in two units (a gerai sembako and a klinik selling a
    service), one to a member paid partly on bon, one with a line discount."""

    def __init__(self, koperasi):
        self.koperasi = koperasi
        self.today = koperasi.today()
        self.d1 = self.today - dt.timedelta(days=2)
        self.d2 = self.today - dt.timedelta(days=1)
        boss = manajer(koperasi)
        running_unit(koperasi, "sembako")
        running_unit(koperasi, "klinik")
        self.oil = make_item(koperasi, name="Minyak goreng 1 liter", category="Minyak")
        self.rice = make_item(
            koperasi, name="Beras premium", category="Beras", base_unit="kg",
            units_per_dus=None, member_price=14_000_00, public_price=15_000_00, min_stock=0,
        )  # fmt: skip
        self.check = make_item(
            koperasi, name="Cek tensi", category="Layanan", business_unit="klinik",
            units_per_dus=None, member_price=8_000_00, public_price=10_000_00, min_stock=0,
            is_service=True,
        )  # fmt: skip
        for item, quantity, cost in (
            (self.oil, 20, 20 * 15_000_00),
            (self.rice, 50, 50 * 12_000_00),
        ):
            services.receive_stock(
                koperasi, actor=boss, item=item, quantity=quantity, cost=cost,
                idempotency_key=f"recv-{item.pk}", date=self.d1,
            )  # fmt: skip
        self.member = active_member(koperasi)
        kasir = make_user("kasir", koperasi)
        self.s1 = services.checkout(
            koperasi, actor=kasir, date=self.d1, idempotency_key="s1",
            lines=[{"item": self.oil, "quantity": 2}, {"item": self.rice, "quantity": "1,5"}],
            payments=[Payment("cash", 60_000_00)],
        )  # fmt: skip
        self.s2 = services.checkout(
            koperasi, actor=kasir, date=self.d2, idempotency_key="s2", member=self.member,
            lines=[{"item": self.oil, "quantity": 1}, {"item": self.check, "quantity": 1}],
            payments=[Payment("bon", 20_000_00), Payment("cash", 5_500_00)],
        )  # fmt: skip
        self.s3 = services.checkout(
            koperasi, actor=kasir, idempotency_key="s3",
            lines=[{"item": self.check, "quantity": 2, "discount": 1_000_00}],
            payments=[Payment("cash", 20_000_00)],
        )  # fmt: skip
        self.sembako = BusinessUnit.objects.get(koperasi=koperasi, kind="sembako")
        self.klinik = BusinessUnit.objects.get(koperasi=koperasi, kind="klinik")

    def scope(self, unit=None, start=None, end=None) -> reports.Scope:
        return reports.Scope(self.koperasi, start or self.d1, end or self.today, unit)


@pytest.fixture
def shop(koperasi):
    return Shop(koperasi)


@pytest.fixture
def ketua(client, koperasi):
    return login(client, make_user("ketua", koperasi))


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _row(rows, first):
    return next(r for r in rows if r and r[0] == first)


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def _rp(sen: int) -> Decimal:
    return Decimal(sen) / 100


# --- figures ----------------------------------------------------------------------------------


def test_the_sales_were_rung_up_as_the_scenario_says(shop):
    assert (shop.s1.total, shop.s1.cost) == (58_500_00, 48_000_00)
    assert (shop.s2.total, shop.s2.cost) == (25_500_00, 15_000_00)
    assert (shop.s3.gross, shop.s3.discount, shop.s3.total, shop.s3.cost) == (
        20_000_00, 1_000_00, 19_000_00, 0,
    )  # fmt: skip


def test_daily_sales_page_pdf_and_xlsx_show_the_same_figures(client, ketua, shop):
    query = {"dari": _d(shop.d1), "sampai": _d(shop.today)}
    page = client.get(_url("report-sales-daily", shop.koperasi, **query))
    assert page.status_code == 200
    body = page.content.decode()
    # Totals: 3 sales, gross 104.000, discount 1.000, net 103.000, HPP 63.000, margin 40.000.
    for shown in ("Rp 104.000", "Rp 1.000", "Rp 103.000", "Rp 63.000", "Rp 40.000", "38,8%"):
        assert shown in body
    assert "Penjualan harian" in body
    rows = _sheet(client.get(_url("report-sales-daily", shop.koperasi, **query, format="xlsx")))
    header = rows.index(next(r for r in rows if r and r[0] == "Tanggal"))
    assert rows[header][:9] == [
        "Tanggal", "Penjualan", "Bruto", "Diskon", "Retur", "Penjualan bersih",
        "Harga pokok penjualan (HPP)", "Laba kotor", "Margin %",
    ]  # fmt: skip
    assert _row(rows, _d(shop.d1))[1:9] == [1, _rp(58_500_00), 0, 0, _rp(58_500_00),
                                            _rp(48_000_00), _rp(10_500_00), 17.9]  # fmt: skip
    assert _row(rows, _d(shop.d2))[1:8] == [1, _rp(25_500_00), 0, 0, _rp(25_500_00),
                                            _rp(15_000_00), _rp(10_500_00)]  # fmt: skip
    assert _row(rows, _d(shop.today))[1:8] == [1, _rp(20_000_00), _rp(1_000_00), 0,
                                               _rp(19_000_00), 0, _rp(19_000_00)]  # fmt: skip
    assert _row(rows, "Total")[1:9] == [3, _rp(104_000_00), _rp(1_000_00), 0, _rp(103_000_00),
                                        _rp(63_000_00), _rp(40_000_00), 38.8]  # fmt: skip
    text = _pdf_text(client.get(_url("report-sales-daily", shop.koperasi, **query, format="pdf")))
    assert "Penjualan harian" in text
    for shown in ("Rp 104.000", "Rp 103.000", "Rp 63.000", "Rp 40.000", "38,8%", _d(shop.d1)):
        assert shown in text


def test_by_item_by_category_and_by_unit(client, ketua, shop):
    query = {"dari": _d(shop.d1), "sampai": _d(shop.today), "format": "xlsx"}
    rows = _sheet(client.get(_url("report-sales-item", shop.koperasi, **query)))
    body = [
        r for r in rows if r and r[0] in ("Minyak goreng 1 liter", "Cek tensi", "Beras premium")
    ]
    # Best sellers first; rice in kg (1,5 kg sold, counted in grams).
    assert [r[0] for r in body] == ["Minyak goreng 1 liter", "Cek tensi", "Beras premium"]
    assert body[0][1:3] == ["pcs", 3] and body[0][7:9] == [_rp(53_500_00), _rp(45_000_00)]
    assert body[1][2] == 3 and body[1][7:9] == [_rp(27_000_00), 0]
    assert body[2][1:3] == ["kg", 1.5] and body[2][7:9] == [_rp(22_500_00), _rp(18_000_00)]
    assert _row(rows, "Total")[7] == _rp(103_000_00)

    rows = _sheet(client.get(_url("report-sales-category", shop.koperasi, **query)))
    assert [r[0] for r in rows if r and r[0] in ("Minyak", "Layanan", "Beras")] == [
        "Minyak", "Layanan", "Beras",
    ]  # fmt: skip
    assert _row(rows, "Layanan")[5:8] == [_rp(27_000_00), 0, _rp(27_000_00)]

    page = client.get(_url("report-sales-unit", shop.koperasi, **{**query, "format": ""}))
    assert shop.sembako.name in page.content.decode()
    rows = _sheet(client.get(_url("report-sales-unit", shop.koperasi, **query)))
    sembako, klinik = _row(rows, shop.sembako.name), _row(rows, shop.klinik.name)
    assert sembako[1] == 2 and sembako[5:7] == [_rp(76_000_00), _rp(63_000_00)]
    assert klinik[1] == 2 and klinik[5:7] == [_rp(27_000_00), 0]
    assert _row(rows, "Total")[1] == 3  # S2 touches both units: counted once in the total

    # Filtered to the klinik: only its lines.
    rows = _sheet(client.get(_url("report-sales-item", shop.koperasi, **query, unit="klinik")))
    assert [r[0] for r in rows[5:-1] if r and r[0] != "Total"][:1] == ["Cek tensi"]
    assert _row(rows, "Total")[7] == _rp(27_000_00)
    assert shop.klinik.name in rows[2][0]


def _ledger_balance(koperasi, code: str, months: list[int], credit_side: bool) -> int:
    sums = AccountBalance.objects.filter(
        koperasi=koperasi, account__code=code, period__in=months
    ).aggregate(d=Sum("debit_total"), c=Sum("credit_total"))
    d, c = sums["d"] or 0, sums["c"] or 0
    return c - d if credit_side else d - c


def test_member_split_agrees_with_the_ledger_accounts(client, ketua, shop):
    koperasi = shop.koperasi
    # Whole months, so the ledger's monthly balance rows can be read as a second witness.
    start = shop.d1.replace(day=1)
    end = (shop.today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(1)
    months = sorted({d.year * 100 + d.month for d in (shop.d1, shop.d2, shop.today)})
    table = reports.member_split(shop.scope(start=start, end=end))
    t = table.totals
    assert (t["member_revenue"], t["member_cost"]) == (25_500_00, 15_000_00)
    assert (t["public_revenue"], t["public_cost"]) == (77_500_00, 48_000_00)
    assert t["differences"] == 0
    units = (shop.sembako, shop.klinik)
    for prefix, revenue_code, cost_code in (
        ("member", "revenue_member_account", "cost_member_account"),
        ("public", "revenue_public_account", "cost_public_account"),
    ):
        ledger_revenue = sum(
            _ledger_balance(koperasi, getattr(u, revenue_code), months, True) for u in units
        )
        ledger_cost = sum(
            _ledger_balance(koperasi, getattr(u, cost_code), months, False) for u in units
        )
        assert t[f"{prefix}_revenue"] == t[f"{prefix}_ledger_revenue"] == ledger_revenue
        assert t[f"{prefix}_cost"] == t[f"{prefix}_ledger_cost"] == ledger_cost
    query = {"dari": _d(start), "sampai": _d(end)}
    page = client.get(_url("report-sales-member", koperasi, **query)).content.decode()
    assert "Angka toko sesuai dengan buku besar." in page
    assert shop.sembako.revenue_member_account in page
    rows = _sheet(client.get(_url("report-sales-member", koperasi, **query, format="xlsx")))
    members = _row(rows, "Semua unit: anggota")
    assert members[4:6] == [_rp(25_500_00), _rp(15_000_00)]
    assert members[8] == _rp(25_500_00) and members[10] == _rp(15_000_00) and members[11] == 0
    others = _row(rows, "Semua unit: non-anggota")
    assert others[4:6] == [_rp(77_500_00), _rp(48_000_00)] and others[11] == 0
    text = _pdf_text(client.get(_url("report-sales-member", koperasi, **query, format="pdf")))
    assert "Rp 25.500" in text and "Rp 77.500" in text and "sesuai dengan buku besar" in text


def test_member_split_shows_a_difference_written_by_hand_in_the_ledger(client, ketua, shop):
    post_simple(
        shop.koperasi, 1_000_00, debit="1-1100", credit=shop.sembako.revenue_public_account,
        date=shop.today, actor=manajer(shop.koperasi),
    )  # fmt: skip
    table = reports.member_split(shop.scope())
    assert table.totals["public_ledger_revenue"] == table.totals["public_revenue"] + 1_000_00
    assert table.totals["differences"] == 1_000_00
    row = next(
        r for r in table.rows if r.values[0] == shop.sembako.name and r.values[1] != "Anggota"
    )
    assert row.values[-1] == -1_000_00
    page = client.get(
        _url("report-sales-member", shop.koperasi, dari=_d(shop.d1), sampai=_d(shop.today))
    ).content.decode()
    assert "Angka toko dan buku besar berbeda" in page


def test_voids_and_returns_come_off_on_the_day_approved_and_still_agree_with_the_ledger(
    client, ketua, shop
):
    koperasi, kasir, checker = (
        shop.koperasi,
        make_user("kasir", shop.koperasi),
        make_user("bendahara", shop.koperasi),
    )
    oil_line = shop.s2.lines.get(item=shop.oil)
    services.approve_sale_return(
        services.propose_return(shop.s2, actor=kasir, quantities={oil_line: 1}, reason="Rusak"),
        actor=checker,
    )  # the member's oil back: 17.500 off her bon, HPP 15.000 back into stock
    services.approve_sale_return(
        services.propose_void(shop.s3, actor=kasir, reason="Salah input"), actor=checker
    )  # today's cash sale voided: 19.000 back from the till
    table = reports.daily_sales(shop.scope())
    t = table.totals
    assert (t["sales"], t["returns"], t["net"], t["cost"], t["margin"]) == (
        3, 36_500_00, 66_500_00, 48_000_00, 18_500_00,
    )  # fmt: skip
    today = next(r for r in table.rows if r.values[0] == _d(shop.today))
    assert today.values[4:6] == [36_500_00, -17_500_00]
    split = reports.member_split(shop.scope()).totals
    assert (split["member_revenue"], split["member_cost"]) == (8_000_00, 0)
    assert (split["public_revenue"], split["public_cost"]) == (58_500_00, 48_000_00)
    assert split["member_ledger_revenue"] == 8_000_00 and split["public_ledger_cost"] == 48_000_00
    assert split["differences"] == 0
    query = {"dari": _d(shop.d1), "sampai": _d(shop.today), "format": "xlsx"}
    rows = _sheet(client.get(_url("report-sales-payment", koperasi, **query)))
    assert _row(rows, "Tunai")[2:5] == [_rp(83_000_00), _rp(19_000_00), _rp(64_000_00)]
    assert _row(rows, "Bon anggota")[2:5] == [_rp(20_000_00), _rp(17_500_00), _rp(2_500_00)]
    assert _row(rows, "Total")[4] == _rp(66_500_00)
    rows = _sheet(client.get(_url("report-sales-item", koperasi, **query)))
    assert _row(rows, shop.oil.name)[2] == 2 and _row(rows, shop.oil.name)[7] == _rp(36_000_00)


def test_payment_methods_split(client, ketua, shop):
    query = {"dari": _d(shop.d1), "sampai": _d(shop.today)}
    rows = _sheet(client.get(_url("report-sales-payment", shop.koperasi, **query, format="xlsx")))
    # Cash is what the till kept: 58.500 + 5.500 + 19.000 (20.000 tendered less 1.000 change).
    assert _row(rows, "Tunai")[1:5] == [3, _rp(83_000_00), 0, _rp(83_000_00)]
    assert _row(rows, "Bon anggota")[1:5] == [1, _rp(20_000_00), 0, _rp(20_000_00)]
    assert _row(rows, "Total")[1:6] == [3, _rp(103_000_00), 0, _rp(103_000_00), 100.0]
    text = _pdf_text(client.get(_url("report-sales-payment", shop.koperasi, **query, format="pdf")))
    assert "Rp 83.000" in text and "Rp 20.000" in text and "Rp 103.000" in text
    page = client.get(_url("report-sales-payment", shop.koperasi, **query)).content.decode()
    assert "Rp 83.000" in page and 'name="unit"' not in page  # no unit filter here


def test_default_range_is_today(client, ketua, shop):
    rows = _sheet(client.get(_url("report-sales-daily", shop.koperasi, format="xlsx")))
    assert _d(shop.today) in rows[2][0]
    assert _row(rows, "Total")[1:6] == [1, _rp(20_000_00), _rp(1_000_00), 0, _rp(19_000_00)]


def test_one_date_given_means_that_day(client, ketua, shop):
    rows = _sheet(client.get(_url("report-sales-daily", shop.koperasi, dari=_d(shop.d2),
                                  format="xlsx")))  # fmt: skip
    assert _row(rows, "Total")[5] == _rp(25_500_00)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"dari": "31-02-2026"}, "Tulis tanggal sebagai hh-bb-tttt"),
        ({"dari": "kemarin", "sampai": "01-01-2026"}, "Tulis tanggal sebagai hh-bb-tttt"),
        (
            {"dari": "10-03-2026", "sampai": "09-03-2026"},
            "Tanggal awal jatuh setelah tanggal akhir.",
        ),
        ({"dari": "01-01-2025", "sampai": "02-01-2026"}, "paling lama 366 hari"),
        ({"unit": "warung-lain"}, "Unit usaha tidak dikenal"),
        ({"unit": "apotek"}, "Unit usaha tidak dikenal"),  # a kind this koperasi does not run
    ],
)
def test_bad_input_is_answered_in_indonesian_and_never_as_a_file(
    client, ketua, koperasi, query, message
):
    running_unit(koperasi, "sembako")
    for name, fmt in (
        ("report-sales-daily", ""), ("report-sales-daily", "xlsx"), ("report-sales-daily", "pdf"),
        ("report-sales-payment", ""),  # no unit field there: the message still shows
    ):  # fmt: skip
        response = client.get(_url(name, koperasi, **query, format=fmt))
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert message in response.content.decode()


def test_a_full_leap_year_is_allowed(client, ketua, koperasi):
    running_unit(koperasi, "sembako")
    response = client.get(
        _url("report-sales-daily", koperasi, dari="01-01-2028", sampai="31-12-2028")
    )
    assert response.status_code == 200
    assert "31-12-2028" in response.content.decode()


# --- who may open them, other koperasi ------------------------------------------------------

ROUTES = [r.url_name.split(":")[1] for r in reports.SALES_REPORTS]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("ketua", 200), ("sekretaris", 200), ("bendahara", 200), ("pengawas", 200),
     ("manajer", 200), ("kasir", 403), ("petugas_pinjaman", 403), ("anggota", 403)],
)  # fmt: skip
def test_reports_follow_the_permission_matrix(client, koperasi, role, expected):
    running_unit(koperasi, "sembako")
    login(client, make_user(role, koperasi))
    for name in ROUTES:
        assert client.get(_url(name, koperasi)).status_code == expected, name


def test_reports_index_lists_what_the_role_may_open(client, koperasi):
    running_unit(koperasi, "sembako")
    login(client, make_user("ketua", koperasi))
    page = client.get(_url("report-index", koperasi)).content.decode()
    for report in reports.SALES_REPORTS:
        assert f'data-testid="report-link-store.sales.{report.slug}"' in page
    assert 'data-testid="report-link-subsidy.lpg"' in page  # ketua exports the LPG register
    assert f"tanggal={_d(koperasi.today())}" in page
    client.logout()
    login(client, make_user("kasir", koperasi))
    page = client.get(_url("report-index", koperasi)).content.decode()
    assert "report-link-store.sales" not in page and "report-link-subsidy.lpg" not in page
    assert 'data-testid="report-link-subsidy.overview"' in page
    assert 'data-testid="report-link-store.stock_valuation"' in page  # store.view is enough


def test_another_app_adds_a_link_to_the_index(client, koperasi):
    link = reports.register_report(
        reports.ReportLink(
            "test.valuation", "Persediaan", "Nilai persediaan", "store:catalog", "store.view",
            order=60,
        )
    )  # fmt: skip
    gone = reports.register_report(
        reports.ReportLink("test.gone", "Lain", "Aplikasi dicabut", "gone:report", "store.view")
    )
    try:
        login(client, make_user("kasir", koperasi))
        response = client.get(_url("report-index", koperasi))
        page = response.content.decode()
        assert "Nilai persediaan" in page and _url("catalog", koperasi) in page
        # A link whose app is not installed is left out, the index still answers.
        assert response.status_code == 200 and "Aplikasi dicabut" not in page
    finally:
        reports.REPORT_LINKS.pop(link.key)
        reports.REPORT_LINKS.pop(gone.key)


def test_another_koperasi_never_shows(client, koperasi, other_koperasi):
    Shop(other_koperasi)  # B's sales on the same days
    running_unit(koperasi, "sembako")
    login(client, make_user("ketua", koperasi))
    query = {"dari": _d(koperasi.today() - dt.timedelta(days=3)), "sampai": _d(koperasi.today())}
    for name in ROUTES:
        rows = _sheet(client.get(_url(name, koperasi, **query, format="xlsx")))
        firsts = ("Total", "Semua unit: anggota", "Semua unit: non-anggota")
        totals = [r for r in rows if r and r[0] in firsts]
        assert totals, name
        for total in totals:
            assert all(v in (0, "", None) for v in total[1:]), (name, total)
    # B's klinik is not A's: unknown here.
    response = client.get(_url("report-sales-daily", koperasi, unit="klinik"))
    assert response.status_code == 400
    # B's slug: 404 like every route of another koperasi.
    for name in ["report-index", *ROUTES]:
        assert client.get(_url(name, other_koperasi)).status_code == 404


# --- the dashboard tile ----------------------------------------------------------------------


def test_dashboard_tile_shows_todays_sales_per_unit_and_follows_new_sales(client, shop):
    cache.clear()
    koperasi = shop.koperasi
    login(client, make_user("kasir", koperasi))
    dashboard = reverse("web:dashboard", kwargs={"slug": koperasi.slug})
    body = client.get(dashboard).content.decode()
    assert "penjualan hari ini (1 transaksi)" in body
    assert f"{shop.klinik.name}: Rp 19.000 (1)" in body
    assert f"{shop.sembako.name}: Rp 0 (0)" in body
    assert _url("report-sales-unit", koperasi) not in body  # the kasir has no reports
    services.checkout(
        koperasi, actor=make_user("kasir", koperasi), idempotency_key="s4",
        lines=[{"item": shop.oil, "quantity": 1}], payments=[Payment("cash", 18_000_00)],
    )  # fmt: skip
    body = client.get(dashboard).content.decode()  # a new audit event: a new cache key
    assert "penjualan hari ini (2 transaksi)" in body
    assert f"{shop.sembako.name}: Rp 18.000 (1)" in body and "Rp 37.000" in body
    client.logout()
    login(client, make_user("ketua", koperasi))
    assert _url("report-sales-unit", koperasi) in client.get(dashboard).content.decode()


def test_no_tile_without_a_business_unit_nor_for_a_role_without_the_store(client, koperasi):
    cache.clear()
    login(client, make_user("kasir", koperasi))
    dashboard = reverse("web:dashboard", kwargs={"slug": koperasi.slug})
    assert "penjualan hari ini" not in client.get(dashboard).content.decode()
    running_unit(koperasi, "sembako")
    client.logout()
    login(client, make_user("petugas_pinjaman", koperasi))
    assert "penjualan hari ini" not in client.get(dashboard).content.decode()
    client.logout()
    login(client, make_user("kasir", koperasi))
    assert "penjualan hari ini (0 transaksi)" in client.get(dashboard).content.decode()


def test_menu_links_the_reports_for_the_roles_that_may_open_them(client, koperasi):
    login(client, make_user("pengawas", koperasi))
    dashboard = reverse("web:dashboard", kwargs={"slug": koperasi.slug})
    assert _url("report-index", koperasi) in client.get(dashboard).content.decode()
    client.logout()
    login(client, make_user("kasir", koperasi))
    assert _url("report-index", koperasi) not in client.get(dashboard).content.decode()


@pytest.mark.parametrize("builder", [r.build for r in reports.SALES_REPORTS])
def test_each_report_reads_a_fixed_number_of_queries(shop, builder, django_assert_max_num_queries):
    """Grouped reads only: more items, days or sales never mean more queries."""
    with django_assert_max_num_queries(8):
        builder(shop.scope())
    extra = make_item(shop.koperasi, name="Gula pasir 1 kg", category="Gula")
    services.receive_stock(
        shop.koperasi, actor=manajer(shop.koperasi), item=extra, quantity=5,
        cost=5 * 16_000_00, idempotency_key="recv-gula",
    )  # fmt: skip
    services.checkout(
        shop.koperasi, actor=make_user("kasir", shop.koperasi), idempotency_key="s5",
        lines=[{"item": extra, "quantity": 2}], payments=[Payment("cash", 40_000_00)],
    )  # fmt: skip
    with django_assert_max_num_queries(8):
        builder(shop.scope(start=shop.d1 - dt.timedelta(days=300)))


def test_an_item_name_a_spreadsheet_would_run_stays_text(client, ketua, koperasi):
    item = make_item(koperasi, name="=HYPERLINK(1)", category="+Kategori")
    services.receive_stock(
        koperasi, actor=manajer(koperasi), item=item, quantity=2, cost=2 * 15_000_00,
        idempotency_key="recv-formula",
    )  # fmt: skip
    services.checkout(
        koperasi, actor=make_user("kasir", koperasi), idempotency_key="s-formula",
        lines=[{"item": item, "quantity": 1}], payments=[Payment("cash", 18_000_00)],
    )  # fmt: skip
    rows = _sheet(client.get(_url("report-sales-item", koperasi, format="xlsx")))
    assert _row(rows, "'=HYPERLINK(1)")[7] == _rp(18_000_00)
    rows = _sheet(client.get(_url("report-sales-category", koperasi, format="xlsx")))
    assert _row(rows, "'+Kategori")[5] == _rp(18_000_00)
    text = _pdf_text(client.get(_url("report-sales-item", koperasi, format="pdf")))
    assert "=HYPERLINK(1)" in text

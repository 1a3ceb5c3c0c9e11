"""The store's reports (issue 15 section 7), read only: sales for a date range per day,
item, category and business unit, with the gross margin; members' and non-members'
sales (SAK EP) set against the ledger's 4-11x / 4-12x and 5-11x / 5-12x accounts; the
payment methods. Plus the registry of report links the reports index shows.

Every builder returns a ``Table`` computed by grouped ORM aggregates over ``SaleLine``
(amounts per line: their sums are the sale's gross, discount, net and HPP, per business
unit) or ``SalePayment``; the page, the PDF and the XLSX render the same ``Table``, so
their figures cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.domain.money import format_rupiah
from kopdes.domain.sale import BON, CASH
from kopdes.domain.units import Unit, price_per, tidy
from kopdes.ledger.choices import EntryKind, Side
from kopdes.ledger.models import JournalLine
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.core.dates import format_date_input
from kopdes.platform.documents import xlsx
from kopdes.platform.identity.permissions import has_perm
from kopdes.store.choices import BaseUnit
from kopdes.store.models import (
    BusinessUnit,
    Category,
    Item,
    SaleLine,
    SalePayment,
    SaleReturn,
    SaleReturnLine,
)
from kopdes.store.payments import get_method

MAX_DAYS = 366  # the longest range a report covers (a leap year)
PERMISSION = "store.view_reports"


# --- the shape every report has -------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # "text", "count", "money", "percent" or "quantity"


@dataclass
class Row:
    values: list[Any]
    kind: str = "line"  # "line", "subtotal" or "total"


@dataclass
class Table:
    slug: str
    title: str
    subtitle: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)  # named figures (tests, reconciling)

    def cells(self, row: Row) -> list[str]:
        """The row as the page and the PDF show it."""
        return [
            _shown(value, column.kind)
            for value, column in zip(row.values, self.columns, strict=True)
        ]

    @property
    def shown_rows(self) -> list[dict]:
        """Rows for the templates: each cell's text and whether it is a figure."""
        figures = [c.kind != "text" for c in self.columns]
        return [
            {"kind": row.kind, "cells": list(zip(self.cells(row), figures, strict=True))}
            for row in self.rows
        ]

    @property
    def wide(self) -> bool:
        return len(self.columns) > 8


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return "—" if kind == "percent" else ""
    if value == "":
        return ""
    if kind == "money":
        return format_rupiah(value)
    if kind == "percent":
        return f"{value:.1f}".replace(".", ",") + "%"
    if kind == "count":
        return f"{value:,}".replace(",", ".")
    if kind == "quantity":
        return format(tidy(Decimal(value)), "f").replace(".", ",")
    return str(value)


@dataclass(frozen=True)
class Scope:
    """What a report covers: the days ``start`` to ``end`` (inclusive) and one business
    unit or all (``unit`` None)."""

    koperasi: Any
    start: dt.date
    end: dt.date
    unit: BusinessUnit | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def describe(self) -> str:
        if self.start == self.end:
            period = format_date_input(self.start)
        else:
            period = f"{format_date_input(self.start)} s.d. {format_date_input(self.end)}"
        unit = self.unit.name if self.unit else _("all business units")
        return f"{period} · {unit}"


def check_range(start: dt.date, end: dt.date) -> str:
    """Why ``start``..``end`` cannot be reported ("" when it can)."""
    if start > end:
        return _("The start date is after the end date.")
    if (end - start).days + 1 > MAX_DAYS:
        return _("A report covers at most %(days)d days: choose a shorter range.") % {
            "days": MAX_DAYS
        }
    return ""


# --- figures ---------------------------------------------------------------------------------
# Sales are counted on the day they were rung up; an approved void or return (``SaleReturn``)
# on the day it was approved (the day its entry posts): "returns" takes its amount off the
# net sales and its cost off the HPP, as the ledger does.

LINE_FIGURES = {
    "sales": Count("sale", distinct=True),
    "gross": Sum("gross"),
    "discount": Sum("discount"),
    "net": Sum("net"),
    "cost": Sum("cost"),
    "quantity": Sum("quantity"),
}
RETURN_FIGURES = {
    "returns": Sum("amount"),
    "returned_cost": Sum("cost"),
    "returned_quantity": Sum("quantity"),
}
ZERO = dict.fromkeys([*LINE_FIGURES, *RETURN_FIGURES], 0)


def _figure_columns() -> list[Column]:
    return [
        Column(_("Sales"), "count"),
        Column(_("Gross"), "money"),
        Column(_("Discount"), "money"),
        Column(_("Returns"), "money"),
        Column(_("Net sales"), "money"),
        Column(_("Cost of goods sold (HPP)"), "money"),
        Column(_("Gross margin"), "money"),
        Column(_("Margin %"), "percent"),
    ]


FIGURE_NAMES = ("sales", "gross", "discount", "returns", "net", "cost", "margin")


def margin_percent(net: int, cost: int) -> Decimal | None:
    """Gross margin as a percentage of net sales, one decimal (None without sales)."""
    if not net:
        return None
    return (Decimal(net - cost) * 100 / Decimal(net)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _figures(row: dict | None) -> list[Any]:
    """sales, gross, discount, returns, net (after returns), HPP (after returns), margin,
    margin %."""
    row = row or ZERO
    net = row["net"] - row["returns"]
    cost = row["cost"] - row["returned_cost"]
    return [
        row["sales"], row["gross"], row["discount"], row["returns"], net, cost, net - cost,
        margin_percent(net, cost),
    ]  # fmt: skip


def _lines(scope: Scope) -> QuerySet[SaleLine]:
    qs = SaleLine.objects.filter(
        koperasi=scope.koperasi, sale__date__gte=scope.start, sale__date__lte=scope.end
    )
    if scope.unit is not None:
        qs = qs.filter(business_unit=scope.unit)
    return qs


def _returns(scope: Scope) -> QuerySet[SaleReturnLine]:
    """Lines of the voids and returns approved in the range."""
    qs = SaleReturnLine.objects.filter(
        koperasi=scope.koperasi,
        sale_return__state=ProposalState.APPROVED,
        sale_return__date__gte=scope.start,
        sale_return__date__lte=scope.end,
    )
    if scope.unit is not None:
        qs = qs.filter(sale_line__business_unit=scope.unit)
    return qs


def _clean(row: dict, names: Iterable[str]) -> dict:
    return {name: int(row.get(name) or 0) for name in names}


def grouped_figures(
    scope: Scope,
    line_key: str | None,
    return_key: str | None,
    *,
    line_filter: Q | None = None,
    return_filter: Q | None = None,
) -> dict:
    """group -> figures (``ZERO``'s names) of the sale lines grouped by ``line_key`` and
    the returned lines grouped by ``return_key`` (the same group seen from a return line);
    both None: the whole scope under the key None. Two grouped reads."""
    lines = _lines(scope).filter(line_filter or Q())
    returns = _returns(scope).filter(return_filter or Q())
    out: dict = {}
    if line_key is None:
        rows = [dict(lines.aggregate(**LINE_FIGURES), _key=None)]
        back = [dict(returns.aggregate(**RETURN_FIGURES), _key=None)]
    else:
        rows = [
            dict(r, _key=r[line_key])
            for r in lines.values(line_key).annotate(**LINE_FIGURES).order_by()
        ]
        back = [
            dict(r, _key=r[return_key])
            for r in returns.values(return_key).annotate(**RETURN_FIGURES).order_by()
        ]
    for row in rows:
        out.setdefault(row["_key"], dict(ZERO)).update(_clean(row, LINE_FIGURES))
    for row in back:
        out.setdefault(row["_key"], dict(ZERO)).update(_clean(row, RETURN_FIGURES))
    return out


def _total_row(scope: Scope, lead: int) -> Row:
    """The whole scope's figures (a sale counted once however many groups it touches)."""
    total = grouped_figures(scope, None, None).get(None)
    return Row([_("Total"), *[""] * (lead - 1), *_figures(total)], kind="total")


def _table(slug: str, title: str, scope: Scope, lead: list[Column]) -> Table:
    return Table(
        slug=slug, title=title, subtitle=scope.describe(), columns=[*lead, *_figure_columns()]
    )


def _finish(table: Table, scope: Scope, lead: int) -> Table:
    total = _total_row(scope, lead)
    table.rows.append(total)
    values = total.values[lead : lead + len(FIGURE_NAMES)]
    table.totals.update(dict(zip(FIGURE_NAMES, values, strict=True)))
    return table


def _by_net(groups: dict, name: Callable[[Any], str]) -> list:
    """Group keys, the largest net sales first, then by name."""
    return sorted(
        groups, key=lambda k: (-(groups[k]["net"] - groups[k]["returns"]), name(k).lower())
    )


# --- the sales reports -----------------------------------------------------------------------


def daily_sales(scope: Scope) -> Table:
    """One row per day of the range (days without a sale show zeros)."""
    table = _table("harian", _("Daily sales"), scope, [Column(_("Date"))])
    by_day = grouped_figures(scope, "sale__date", "sale_return__date")
    day = scope.start
    while day <= scope.end:
        table.rows.append(Row([format_date_input(day), *_figures(by_day.get(day))]))
        day += dt.timedelta(days=1)
    return _finish(table, scope, 1)


def sales_by_item(scope: Scope) -> Table:
    """Per item: the quantity sold (less returned) in its base unit and the figures, best
    sellers first."""
    table = _table(
        "barang",
        _("Sales by item"),
        scope,
        [Column(_("Item")), Column(_("Unit")), Column(_("Quantity"), "quantity")],
    )
    groups = grouped_figures(scope, "item_id", "sale_line__item_id")
    items = {
        i.pk: i
        for i in Item.objects.filter(koperasi=scope.koperasi, pk__in=list(groups)).only(
            "name", "base_unit"
        )
    }
    labels = dict(BaseUnit.choices)
    for key in _by_net(groups, lambda k: items[k].name):
        item, row = items[key], groups[key]
        quantity = Decimal(row["quantity"] - row["returned_quantity"]) / price_per(
            Unit(item.base_unit)
        )
        table.rows.append(
            Row([item.name, str(labels.get(item.base_unit, "")), quantity, *_figures(row)])
        )
    return _finish(table, scope, 3)


def sales_by_category(scope: Scope) -> Table:
    table = _table("kategori", _("Sales by category"), scope, [Column(_("Category"))])
    groups = grouped_figures(scope, "item__category_id", "sale_line__item__category_id")
    names = dict(
        Category.objects.filter(
            koperasi=scope.koperasi, pk__in=[k for k in groups if k is not None]
        ).values_list("pk", "name")
    )

    def name(key) -> str:
        return names.get(key) or _("No category")

    for key in _by_net(groups, name):
        table.rows.append(Row([name(key), *_figures(groups[key])]))
    return _finish(table, scope, 1)


def _units(koperasi) -> dict:
    return {u.pk: u for u in BusinessUnit.objects.filter(koperasi=koperasi)}


def sales_by_unit(scope: Scope) -> Table:
    table = _table("unit", _("Sales by business unit"), scope, [Column(_("Business unit"))])
    units = _units(scope.koperasi)
    groups = grouped_figures(scope, "business_unit_id", "sale_line__business_unit_id")
    for key in sorted(groups, key=lambda k: units[k].kind):
        table.rows.append(Row([units[key].name, *_figures(groups[key])]))
    _finish(table, scope, 1)
    if len(groups) > 1:
        table.notes.append(
            _(
                "A sale holding goods of several units is counted once in each unit and "
                "once in the total."
            )
        )
    return table


def _ledger_sums(koperasi, codes: Iterable[str], start: dt.date, end: dt.date) -> dict:
    """account code -> (debit, credit) of the journal lines dated ``start``..``end``, the
    year-end closing entries aside (they empty revenue and cost into SHU)."""
    out: dict[str, list[int]] = {}
    rows = (
        JournalLine.objects.filter(
            koperasi=koperasi, date__gte=start, date__lte=end, account__code__in=set(codes)
        )
        .exclude(entry__kind=EntryKind.CLOSING)
        .values("account__code", "side")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        pair = out.setdefault(row["account__code"], [0, 0])
        pair[0 if row["side"] == Side.DEBIT else 1] += int(row["total"])
    return out


def member_split(scope: Scope) -> Table:
    """Revenue and HPP from members and from others, per business unit, each set against
    the ledger account the checkout posts it to (4-11x / 4-12x revenue, 5-11x / 5-12x HPP)
    over the same days: SAK EP shows them apart, and the two must agree."""
    table = Table(
        slug="anggota",
        title=_("Sales to members and non-members"),
        subtitle=scope.describe(),
        columns=[
            Column(_("Business unit")),
            Column(_("Buyer")),
            Column(_("Sales"), "count"),
            Column(_("Returns"), "money"),
            Column(_("Revenue"), "money"),
            Column(_("Cost of goods sold (HPP)"), "money"),
            Column(_("Gross margin"), "money"),
            Column(_("Revenue account")),
            Column(_("Revenue in the ledger"), "money"),
            Column(_("HPP account")),
            Column(_("HPP in the ledger"), "money"),
            Column(_("Difference"), "money"),
        ],
    )
    units = _units(scope.koperasi)
    shown = [scope.unit] if scope.unit is not None else sorted(units.values(), key=lambda u: u.kind)
    grouped: dict = {}
    for is_member in (True, False):
        groups = grouped_figures(
            scope,
            "business_unit_id",
            "sale_line__business_unit_id",
            line_filter=Q(sale__member__isnull=not is_member),
            return_filter=Q(sale_line__sale__member__isnull=not is_member),
        )
        for unit_id, figures in groups.items():
            grouped[(unit_id, is_member)] = figures
    codes = [
        code
        for u in shown
        for code in (
            u.revenue_member_account,
            u.revenue_public_account,
            u.cost_member_account,
            u.cost_public_account,
        )
    ]
    ledger = _ledger_sums(scope.koperasi, codes, scope.start, scope.end)

    def revenue_of(code: str) -> int:
        d, c = ledger.get(code, (0, 0))
        return c - d

    def cost_of(code: str) -> int:
        d, c = ledger.get(code, (0, 0))
        return d - c

    names = ("sales", "returns", "net", "cost", "ledger_net", "ledger_cost")
    sums = {True: dict.fromkeys(names, 0), False: dict.fromkeys(names, 0)}
    differences = 0
    for unit in shown:
        for is_member in (True, False):
            row = grouped.get((unit.pk, is_member))
            revenue_code = unit.revenue_member_account if is_member else unit.revenue_public_account
            cost_code = unit.cost_member_account if is_member else unit.cost_public_account
            ledger_net, ledger_cost = revenue_of(revenue_code), cost_of(cost_code)
            if row is None and not ledger_net and not ledger_cost:
                continue
            sales, _gross, _discount, returns, net, cost, margin, _pct = _figures(row)
            difference = (net - ledger_net) + (cost - ledger_cost)
            differences += abs(net - ledger_net) + abs(cost - ledger_cost)
            buyer = _("Members") if is_member else _("Non-members")
            table.rows.append(
                Row(
                    [unit.name, buyer, sales, returns, net, cost, margin, revenue_code,
                     ledger_net, cost_code, ledger_cost, difference]
                )
            )  # fmt: skip
            values = (sales, returns, net, cost, ledger_net, ledger_cost)
            for key, value in zip(names, values, strict=True):
                sums[is_member][key] += value
    for is_member in (True, False):
        t = sums[is_member]
        label = _("All units: members") if is_member else _("All units: non-members")
        table.rows.append(
            Row(
                [label, "", t["sales"], t["returns"], t["net"], t["cost"], t["net"] - t["cost"],
                 "", t["ledger_net"], "", t["ledger_cost"],
                 (t["net"] - t["ledger_net"]) + (t["cost"] - t["ledger_cost"])],
                kind="subtotal",
            )
        )  # fmt: skip
        prefix = "member" if is_member else "public"
        table.totals.update(
            {
                f"{prefix}_sales": t["sales"],
                f"{prefix}_revenue": t["net"],
                f"{prefix}_cost": t["cost"],
                f"{prefix}_ledger_revenue": t["ledger_net"],
                f"{prefix}_ledger_cost": t["ledger_cost"],
            }
        )
    table.totals["differences"] = differences
    table.notes.append(
        _(
            "Revenue and HPP of members' purchases post to the 4-11x and 5-11x accounts, "
            "of non-members' to 4-12x and 5-12x (SAK EP shows them apart). The ledger "
            "columns sum every journal line of those accounts dated in the period "
            "(year-end closing aside)."
        )
    )
    if differences:
        table.notes.append(
            _(
                "The store and the ledger differ: a journal entry written by hand to a sales "
                "or HPP account, or a sale corrected in the ledger only. Check the account's "
                "ledger for the period."
            )
        )
    else:
        table.notes.append(_("The store's figures agree with the ledger."))
    return table


def payment_methods(scope: Scope) -> Table:
    """How the sales of the range were paid (cash is what the till kept: tendered less
    change), less the refunds of the voids and returns approved in it. A sale is paid once
    for all its units, so this covers every unit."""
    table = Table(
        slug="pembayaran",
        title=_("Sales by payment method"),
        subtitle=Scope(scope.koperasi, scope.start, scope.end).describe(),
        columns=[
            Column(_("Payment method")),
            Column(_("Sales"), "count"),
            Column(_("Received"), "money"),
            Column(_("Refunded"), "money"),
            Column(_("Net"), "money"),
            Column(_("Share"), "percent"),
        ],
    )
    in_range = {"sale__date__gte": scope.start, "sale__date__lte": scope.end}
    payments = SalePayment.objects.filter(koperasi=scope.koperasi, **in_range)
    grouped = {
        r["method"]: r
        for r in payments.values("method")
        .annotate(sales=Count("sale", distinct=True), amount=Sum("amount"))
        .order_by()
    }
    refunds = SaleReturn.objects.filter(
        koperasi=scope.koperasi,
        state=ProposalState.APPROVED,
        date__gte=scope.start,
        date__lte=scope.end,
    ).aggregate(cash=Sum("cash_refund"), bon=Sum("bon_refund"), other=Sum("other_refund"))
    refunded = {CASH: int(refunds["cash"] or 0), BON: int(refunds["bon"] or 0)}
    methods = set(grouped) | {m for m, a in refunded.items() if a}
    rows = []
    for method in methods:
        row = grouped.get(method, {})
        spec = get_method(method)
        received = int(row.get("amount") or 0)
        rows.append(
            [str(spec.label) if spec else method, int(row.get("sales") or 0), received,
             refunded.get(method, 0), received - refunded.get(method, 0)]
        )  # fmt: skip
    other = int(refunds["other"] or 0)
    if other:
        rows.append([_("Refunds to other methods"), 0, 0, other, -other])
    total = sum(r[4] for r in rows)
    rows.sort(key=lambda r: (-r[4], r[0]))
    for row in rows:
        share = (
            (Decimal(row[4]) * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if total
            else None
        )
        table.rows.append(Row([*row, share]))
    count = payments.values("sale").distinct().count()
    received = sum(r[2] for r in rows)
    refunded_total = sum(r[3] for r in rows)
    table.rows.append(
        Row(
            [_("Total"), count, received, refunded_total, total, Decimal(100) if total else None],
            kind="total",
        )
    )
    table.totals.update(
        {"sales": count, "received": received, "refunded": refunded_total, "net": total}
    )
    table.totals.update({f"method_{m}": int(r.get("amount") or 0) for m, r in grouped.items()})
    if scope.unit is not None:
        table.notes.append(
            _("A sale is paid once for all its business units: this covers every unit.")
        )
    table.notes.append(_("A sale paid two ways (split payment) counts once under each method."))
    return table


@dataclass(frozen=True)
class SalesReport:
    slug: str
    title: str | Promise
    url_name: str
    build: Callable[[Scope], Table]
    by_unit: bool = True  # whether the business-unit filter applies


SALES_REPORTS: list[SalesReport] = [
    SalesReport("harian", gettext_lazy("Daily sales"), "store:report-sales-daily", daily_sales),
    SalesReport("barang", gettext_lazy("By item"), "store:report-sales-item", sales_by_item),
    SalesReport(
        "kategori", gettext_lazy("By category"), "store:report-sales-category", sales_by_category
    ),
    SalesReport("unit", gettext_lazy("By business unit"), "store:report-sales-unit", sales_by_unit),
    SalesReport(
        "anggota", gettext_lazy("Members / non-members"), "store:report-sales-member", member_split
    ),
    SalesReport(
        "pembayaran",
        gettext_lazy("Payment methods"),
        "store:report-sales-payment",
        payment_methods,
        by_unit=False,
    ),
]


# --- XLSX (through platform.documents) -------------------------------------------------------


def workbook(table: Table, koperasi):
    """The table as an XLSX sheet: the same rows as the page; money as exact rupiah."""
    wb, ws = xlsx.new_workbook(table.title)
    xlsx.write_row(ws, [koperasi.name], bold=True)
    xlsx.write_row(ws, [table.title], bold=True)
    xlsx.write_row(ws, [table.subtitle])
    ws.append([])
    xlsx.write_header(ws, [c.header for c in table.columns])
    money = [i for i, c in enumerate(table.columns) if c.kind == "money"]
    for row in table.rows:
        values = [
            float(v) if isinstance(v, Decimal) and c.kind == "percent" else v
            for v, c in zip(row.values, table.columns, strict=True)
        ]
        written = xlsx.write_row(ws, values, money_columns=money, bold=row.kind != "line")
        for i, column in enumerate(table.columns):
            if column.kind == "percent":
                ws.cell(row=written, column=i + 1).number_format = "0.0"
    for note in table.notes:
        ws.append([])
        xlsx.write_row(ws, [note])
    xlsx.set_widths(ws, [28 if c.kind == "text" else 18 for c in table.columns])
    return wb


# --- the reports index: links any app adds to -------------------------------------------------


@dataclass(frozen=True)
class ReportLink:
    """A report the store's reports index lists (``url_name`` takes ``slug`` only; a
    ``query`` is added to it, e.g. today's date for a daily register)."""

    key: str
    group: str | Promise
    label: str | Promise
    url_name: str
    permission: str
    description: str | Promise = ""
    query: Callable[[Any], str] | None = None  # koperasi -> "tanggal=..." (no "?")
    order: int = 100


REPORT_LINKS: dict[str, ReportLink] = {}


def register_report(link: ReportLink) -> ReportLink:
    """Add (or replace, by key) a link on the store's reports index. Other apps call it from
    their ``AppConfig.ready()`` (consignment settlement, stock valuation, SIPNAP ...)."""
    REPORT_LINKS[link.key] = link
    return link


def report_links(koperasi, roles) -> list[dict]:
    """The links ``roles`` may open, grouped (in ``order``): [{"group", "links": [...]}]."""
    groups: dict[str, list[dict]] = {}
    for link in sorted(REPORT_LINKS.values(), key=lambda x: (x.order, x.key)):
        if not has_perm(roles, link.permission):
            continue
        try:
            url = reverse(link.url_name, kwargs={"slug": koperasi.slug})
        except NoReverseMatch:  # the app holding the report is not installed
            continue
        if link.query is not None:
            url = f"{url}?{link.query(koperasi)}"
        groups.setdefault(str(link.group), []).append(
            {"key": link.key, "label": str(link.label), "url": url,
             "description": str(link.description)}
        )  # fmt: skip
    return [{"group": group, "links": links} for group, links in groups.items()]


def _today(koperasi) -> str:
    return f"tanggal={format_date_input(koperasi.today())}"


_SALES = gettext_lazy("Sales")
for _order, _report in enumerate(SALES_REPORTS, start=10):
    register_report(
        ReportLink(
            f"store.sales.{_report.slug}", _SALES, _report.title, _report.url_name, PERMISSION,
            order=_order,
        )
    )  # fmt: skip
_SUBSIDY = gettext_lazy("Subsidised channels")
register_report(
    ReportLink(
        "subsidy.lpg", _SUBSIDY, gettext_lazy("LPG 3 kg daily register (today, Excel)"),
        "subsidy:lpg-register", "subsidy.export_register",
        gettext_lazy("Full NIKs, to reconcile with Pertamina's merchant app."), _today, 50,
    )
)  # fmt: skip
register_report(
    ReportLink(
        "subsidy.sphp", _SUBSIDY, gettext_lazy("SPHP rice daily report (today, Excel)"),
        "subsidy:sphp-report", "subsidy.export_reports", "", _today, 51,
    )
)  # fmt: skip
register_report(
    ReportLink(
        "subsidy.overview", _SUBSIDY,
        gettext_lazy("Registers for another day, pupuk season report"),
        "subsidy:overview", "subsidy.view", "", None, 52,
    )
)  # fmt: skip
_STOCK = gettext_lazy("Stock")
register_report(
    ReportLink(
        "store.stock_valuation", _STOCK, gettext_lazy("Stock valuation"),
        "store:stock-valuation", "store.view",
        gettext_lazy("Against the Persediaan account; Excel and PDF."), None, 30,
    )
)  # fmt: skip
register_report(
    ReportLink(
        "store.low_stock", _STOCK, gettext_lazy("Low stock"), "store:low-stock", "store.view",
        "", None, 31,
    )
)  # fmt: skip
# Reports of the apps built next to the store (their pages check their own permission).
register_report(
    ReportLink(
        "consignment.overview", gettext_lazy("Consignment (titip jual)"),
        gettext_lazy("Consignors' settlement statements"), "consignment:overview",
        "consignment.view", "", None, 40,
    )
)  # fmt: skip
register_report(
    ReportLink(
        "pharmacy.sipnap", gettext_lazy("Village pharmacy"),
        gettext_lazy("SIPNAP monthly report (narcotics and psychotropics)"), "pharmacy:sipnap",
        "pharmacy.view", "", None, 45,
    )
)  # fmt: skip

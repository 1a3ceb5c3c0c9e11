"""Books and financial statements in the cooperative format, as plain data.

Statements (neraca, perhitungan hasil usaha, perubahan ekuitas, neraca saldo) are computed
from the monthly ``AccountBalance`` rows only, never by scanning all journal lines. Two
places read lines on purpose and say so: the year-end closing entry (one entry a year,
taken out of the SHU statement so a closed year still shows its revenue and expense), and
the cash flow statement (direct method: the counter-lines of entries that touch cash).
Books (buku kas, buku bank, buku besar) list one month's lines of the accounts they show.

Every function returns a ``Report``: headers and rows of integer sen. The page, the PDF
and the XLSX render the same ``Report``, so their totals cannot disagree.

Business units: a balance row belongs to a unit when its line named the unit, or, when the
line named none, when its account belongs to the unit. An entry whose lines sit in
different units leaves a per-unit balance sheet uneven; the difference is shown as the
inter-unit account (rekening antar unit) so each unit's statement still balances.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from kopdes.domain.ledger import AccountType
from kopdes.ledger import chart
from kopdes.ledger.choices import EntryKind, Side
from kopdes.ledger.models import Account, AccountBalance, JournalLine
from kopdes.platform.tenancy.choices import BusinessUnit

CASH_PREFIX = "1-11"  # Kas (1-1100) and its per-unit children
BANK_PREFIX = "1-12"  # Bank (1-1200) and its sub-accounts
FIXED_ASSET_PREFIX = "1-2"
FINANCING_LIABILITY_PREFIXES = ("2-11", "2-12", "2-15", "2-2")  # savings, SHU funds, bank loans

A, L, E, R, X = (
    AccountType.ASSET,
    AccountType.LIABILITY,
    AccountType.EQUITY,
    AccountType.REVENUE,
    AccountType.EXPENSE,
)


# --- the shape every report has ------------------------------------------------------------


@dataclass
class Row:
    """One line of a report. ``values`` are sen (None: an empty cell)."""

    label: str
    values: tuple[int | None, ...] = ()
    kind: str = "line"  # "heading", "line", "subtotal" or "total"
    code: str = ""
    indent: int = 0
    texts: tuple[str, ...] = ()  # text columns before the label (date, number...)
    link: str = ""  # account id for a link to its buku besar; entry id for books


@dataclass
class Report:
    slug: str
    title: str
    subtitle: str
    label_header: str
    value_headers: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    text_headers: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    link_kind: str = ""  # "account" or "entry": what ``Row.link`` points at
    chain_head: str = ""  # neraca: the journal/audit heads when printed (core.anchors)


# --- periods -------------------------------------------------------------------------------


def month_name(period: int) -> str:
    return f"{MONTHS[period % 100]} {period // 100}"


def last_day(period: int) -> dt.date:
    year, month = divmod(period, 100)
    return dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)


def first_day(period: int) -> dt.date:
    return dt.date(period // 100, period % 100, 1)


def previous_month(period: int) -> int:
    year, month = divmod(period, 100)
    return (year - 1) * 100 + 12 if month == 1 else period - 1


def year_earlier(period: int) -> int:
    return period - 100


def fiscal_year_start(koperasi, period: int) -> int:
    """The first month of the fiscal year ``period`` falls in."""
    start = int(koperasi.fiscal_year_start_month or 1)
    year, month = divmod(period, 100)
    return (year if month >= start else year - 1) * 100 + start


def unit_label(unit: str) -> str:
    return str(BusinessUnit(unit).label) if unit in BusinessUnit.values else unit


def _scope_label(unit: str | None) -> str:
    return _("Unit: %(unit)s") % {"unit": unit_label(unit)} if unit else _("Consolidated")


# --- reading balances ----------------------------------------------------------------------


class Books:
    """The koperasi's accounts, loaded once; balance sums are grouped reads of the rows."""

    def __init__(self, koperasi):
        self.koperasi = koperasi
        self.accounts: dict = {a.id: a for a in Account.objects.filter(koperasi=koperasi)}
        self.depth: dict = {}
        for account in self.accounts.values():
            d, parent = 0, account.parent_id
            while parent is not None and d < 10:
                d += 1
                parent = self.accounts[parent].parent_id
            self.depth[account.id] = d
        # Grouped balance rows per month range, read once and filtered by unit in Python,
        # so per-unit figures cost no extra queries.
        self._rows: dict = {}
        self._closing_rows: dict = {}

    def ordered(self) -> list[Account]:
        return sorted(self.accounts.values(), key=lambda a: a.code)

    def in_unit(self, account_id, line_unit: str, unit: str | None) -> bool:
        if unit is None:
            return True
        # Lines and accounts without a unit belong to the koperasi office (kantor).
        return (line_unit or self.accounts[account_id].business_unit or "kantor") == unit

    def sums(self, *, up_to: int, since: int | None = None, unit: str | None = None) -> dict:
        """account id -> (debit, credit) over months [since, up_to] in ``unit``."""
        key = (up_to, since)
        if key not in self._rows:
            qs = AccountBalance.objects.filter(koperasi=self.koperasi, period__lte=up_to)
            if since is not None:
                qs = qs.filter(period__gte=since)
            self._rows[key] = list(
                qs.values("account_id", "business_unit").annotate(
                    d=Sum("debit_total"), c=Sum("credit_total")
                )
            )
        out: dict = defaultdict(lambda: [0, 0])
        for row in self._rows[key]:
            if self.in_unit(row["account_id"], row["business_unit"], unit):
                out[row["account_id"]][0] += row["d"]
                out[row["account_id"]][1] += row["c"]
        return out

    def closing_sums(self, *, up_to: int, since: int, unit: str | None = None) -> dict:
        """account id -> (debit, credit) of the year-end closing entries in the range.

        Reads lines, but only of the closing entries (one a year).
        """
        key = (up_to, since)
        if key not in self._closing_rows:
            self._closing_rows[key] = list(
                JournalLine.objects.filter(
                    koperasi=self.koperasi,
                    entry__kind=EntryKind.CLOSING,
                    period__gte=since,
                    period__lte=up_to,
                )
                .values("account_id", "business_unit", "side")
                .annotate(total=Sum("amount"))
            )
        out: dict = defaultdict(lambda: [0, 0])
        for row in self._closing_rows[key]:
            if self.in_unit(row["account_id"], row["business_unit"], unit):
                out[row["account_id"]][0 if row["side"] == Side.DEBIT else 1] += row["total"]
        return out

    def value(self, account_id, debit: int, credit: int) -> int:
        """Balance as a statement shows it: debit - credit for assets and expenses,
        credit - debit for the others (contra accounts come out negative)."""
        account_type = self.accounts[account_id].type
        return debit - credit if account_type in (A, X) else credit - debit


def _by_type(books: Books, sums: dict, types: Iterable[str]) -> dict:
    wanted = set(types)
    return {
        aid: books.value(aid, d, c)
        for aid, (d, c) in sums.items()
        if books.accounts[aid].type in wanted
    }


def _account_rows(
    books: Books, columns: list[dict], accounts: Iterable[Account], indent: int = 1
) -> list[Row]:
    rows = []
    for account in sorted(accounts, key=lambda a: a.code):
        values = tuple(col.get(account.id, 0) for col in columns)
        if not any(values):
            continue
        rows.append(
            Row(
                label=account.name,
                code=account.code,
                values=values,
                indent=indent + books.depth[account.id],
                link=str(account.id),
            )
        )
    return rows


def _result(books: Books, sums: dict) -> int:
    """Revenue minus expense in ``sums`` (the SHU of those months)."""
    total = 0
    for aid, (d, c) in sums.items():
        account_type = books.accounts[aid].type
        if account_type == R:
            total += c - d
        elif account_type == X:
            total -= d - c
    return total


# --- Laporan Posisi Keuangan (neraca) -------------------------------------------------------


def statement_of_position(koperasi, period: int, unit: str | None = None) -> Report:
    """Assets = liabilities + equity at the end of ``period`` and a year earlier.

    Equity includes the result not yet closed into SHU tahun berjalan (revenue - expense
    up to the month), so the statement balances before and after the year-end closing.
    """
    books = Books(koperasi)
    periods = [period, year_earlier(period)]
    sums = [books.sums(up_to=p, unit=unit) for p in periods]
    assets = [_by_type(books, s, [A]) for s in sums]
    liabilities = [_by_type(books, s, [L]) for s in sums]
    equity = [_by_type(books, s, [E]) for s in sums]
    result = [_result(books, s) for s in sums]
    total_assets = [sum(a.values()) for a in assets]
    total_liabilities = [sum(x.values()) for x in liabilities]
    # Per unit: lines of one entry in different units leave a difference between units.
    inter_unit = [
        total_assets[i] - total_liabilities[i] - sum(equity[i].values()) - result[i]
        for i in range(2)
    ]
    if unit is None:
        assert inter_unit == [0, 0], "the journal is out of balance"
    rows: list[Row] = [Row(_("ASSETS"), kind="heading")]
    rows += _account_rows(books, assets, [a for a in books.ordered() if a.type == A])
    rows.append(Row(_("Total assets"), tuple(total_assets), kind="total"))
    rows.append(Row(_("LIABILITIES"), kind="heading"))
    rows += _account_rows(books, liabilities, [a for a in books.ordered() if a.type == L])
    if any(inter_unit):
        rows.append(Row(_("Inter-unit account (rekening antar unit)"), tuple(inter_unit), indent=1))
        total_liabilities = [total_liabilities[i] + inter_unit[i] for i in range(2)]
    rows.append(Row(_("Total liabilities"), tuple(total_liabilities), kind="subtotal"))
    rows.append(Row(_("EQUITY"), kind="heading"))
    rows += _account_rows(books, equity, [a for a in books.ordered() if a.type == E])
    if any(result):
        rows.append(
            Row(_("Result of the year not yet closed (SHU berjalan)"), tuple(result), indent=1)
        )
    total_equity = [sum(equity[i].values()) + result[i] for i in range(2)]
    rows.append(Row(_("Total equity"), tuple(total_equity), kind="subtotal"))
    total_le = [total_liabilities[i] + total_equity[i] for i in range(2)]
    rows.append(Row(_("Total liabilities and equity"), tuple(total_le), kind="total"))
    return Report(
        slug="neraca",
        title=_("Statement of financial position (Neraca)"),
        subtitle=_("As of %(date)s") % {"date": last_day(period).strftime("%d-%m-%Y")}
        + " · "
        + _scope_label(unit),
        label_header=_("Account"),
        value_headers=tuple(last_day(p).strftime("%d-%m-%Y") for p in periods),
        rows=rows,
        totals={
            "total_assets": total_assets[0],
            "total_liabilities": total_liabilities[0],
            "total_equity": total_equity[0],
            "total_liabilities_and_equity": total_le[0],
            "result": result[0],
            "inter_unit": inter_unit[0],
            "previous_total_assets": total_assets[1],
            "previous_total_liabilities_and_equity": total_le[1],
        },
        link_kind="account",
        chain_head=_chain_head(koperasi),
    )


def _chain_head(koperasi) -> str:
    """The books' chain heads as printed on the neraca: paper evidence of the newest rows."""
    from django.utils import timezone

    from kopdes.platform.core.anchors import describe_heads, koperasi_heads

    heads = koperasi_heads(koperasi)
    if not heads:
        return ""
    return _("Chain heads when printed (%(time)s): %(heads)s") % {
        "time": timezone.localtime().strftime("%d-%m-%Y %H:%M %Z"),
        "heads": describe_heads(heads, full=True),
    }


# --- Laporan Perhitungan Hasil Usaha (SHU) ----------------------------------------------------


def _year_sums(books: Books, period: int, unit: str | None) -> dict:
    """Result accounts' movement from the start of the fiscal year to ``period``, without
    the closing entry (which would empty them)."""
    since = fiscal_year_start(books.koperasi, period)
    sums = books.sums(up_to=period, since=since, unit=unit)
    for aid, (d, c) in books.closing_sums(up_to=period, since=since, unit=unit).items():
        sums[aid][0] -= d
        sums[aid][1] -= c
    return sums


MEMBER_REVENUE, NON_MEMBER_REVENUE = "member_revenue", "non_member_revenue"


def income_section(books: Books, account: Account) -> str:
    """Where the statement of SHU shows ``account``: the section of its own template code
    or of its nearest template ancestor's (``chart.SECTION_OF``); revenue without one is
    member participation or non-member revenue by its flag, an expense an operating one."""
    current: Account | None = account
    for _depth in range(10):
        if current is None:
            break
        if current.code in chart.SECTION_OF:
            return chart.SECTION_OF[current.code]
        current = books.accounts.get(current.parent_id) if current.parent_id else None
    if account.type == R:
        return MEMBER_REVENUE if account.is_member_revenue else NON_MEMBER_REVENUE
    return chart.OPERATING


def statement_of_income(koperasi, period: int, unit: str | None = None) -> Report:
    """Laporan perhitungan hasil usaha in the cooperative format (SAK EP and the ministry's
    guideline), from the start of the fiscal year to ``period``, beside the same months a
    year earlier:

    partisipasi bruto - beban pokok = partisipasi neto; pendapatan dari non-anggota - its
    cost = laba kotor non-anggota; the two make SHU kotor; less beban usaha and beban
    perkoperasian = SHU usaha; plus pendapatan and less beban lain-lain = SHU sebelum pajak;
    less pajak penghasilan = SHU setelah pajak, which equals revenue - expense of the books.
    Accounts go to sections by ``income_section``.
    """
    books = Books(koperasi)
    periods = [period, year_earlier(period)]
    sums = [_year_sums(books, p, unit) for p in periods]
    values = [_by_type(books, s, [R, X]) for s in sums]
    by_section: dict[str, list[Account]] = defaultdict(list)
    for account in books.ordered():
        if account.type in (R, X):
            by_section[income_section(books, account)].append(account)

    def total(section: str) -> list[int]:
        return [sum(values[i].get(a.id, 0) for a in by_section[section]) for i in range(2)]

    def minus(a: list[int], *others: list[int]) -> list[int]:
        return [a[i] - sum(o[i] for o in others) for i in range(2)]

    def plus(*parts: list[int]) -> list[int]:
        return [sum(p[i] for p in parts) for i in range(2)]

    t = {key: total(key) for key in (MEMBER_REVENUE, NON_MEMBER_REVENUE, *chart.SHU_SECTIONS)}
    net_participation = minus(t[MEMBER_REVENUE], t[chart.MEMBER_COST])
    non_member_profit = minus(t[NON_MEMBER_REVENUE], t[chart.NON_MEMBER_COST])
    gross_shu = plus(net_participation, non_member_profit)
    operating_shu = minus(gross_shu, t[chart.OPERATING], t[chart.COOPERATIVE])
    other_net = minus(t[chart.OTHER_INCOME], t[chart.OTHER_EXPENSE])
    before_tax = plus(operating_shu, other_net)
    after_tax = minus(before_tax, t[chart.TAX])
    for i in range(2):
        assert after_tax[i] == _result(books, sums[i]), "the statement of SHU does not tie"

    rows: list[Row] = []

    def block(heading: str, section: str, subtotal: str) -> None:
        rows.append(Row(heading, kind="heading", indent=1))
        for row in _account_rows(books, values, by_section[section]):
            row.indent = 2  # flat within the section: a parent and its children alike
            rows.append(row)
        rows.append(Row(subtotal, tuple(t[section]), kind="subtotal", indent=1))

    rows.append(Row(_("MEMBERS' PARTICIPATION"), kind="heading"))
    block(
        _("Gross participation (revenue from members)"),
        MEMBER_REVENUE,
        _("Total gross participation"),
    )
    block(_("Cost of participation"), chart.MEMBER_COST, _("Total cost of participation"))
    rows.append(Row(_("Net participation"), tuple(net_participation), kind="total"))
    rows.append(Row(_("REVENUE FROM NON-MEMBERS"), kind="heading"))
    block(_("Revenue from non-members"), NON_MEMBER_REVENUE, _("Total revenue from non-members"))
    block(
        _("Cost of sales to non-members"),
        chart.NON_MEMBER_COST,
        _("Total cost of sales to non-members"),
    )
    rows.append(Row(_("Gross profit from non-members"), tuple(non_member_profit), kind="subtotal"))
    rows.append(Row(_("Gross SHU"), tuple(gross_shu), kind="total"))
    rows.append(Row(_("OPERATING EXPENSES"), kind="heading"))
    block(_("Business expenses"), chart.OPERATING, _("Total business expenses"))
    block(_("Cooperative expenses"), chart.COOPERATIVE, _("Total cooperative expenses"))
    rows.append(Row(_("Operating SHU"), tuple(operating_shu), kind="total"))
    rows.append(Row(_("OTHER INCOME AND EXPENSES"), kind="heading"))
    block(_("Other income"), chart.OTHER_INCOME, _("Total other income"))
    block(_("Other expenses"), chart.OTHER_EXPENSE, _("Total other expenses"))
    rows.append(Row(_("Other income less other expenses"), tuple(other_net), kind="subtotal"))
    rows.append(Row(_("SHU before tax"), tuple(before_tax), kind="total"))
    block(_("Income tax"), chart.TAX, _("Total income tax"))
    rows.append(Row(_("SHU after tax"), tuple(after_tax), kind="total"))
    if unit is None:
        units = [u for u in koperasi.business_units or [] if u in BusinessUnit.values]
        if units:
            rows.append(Row(_("Revenue per business unit"), kind="heading"))
        for u in units:
            per_unit = [_by_type(books, _year_sums(books, p, u), [R]) for p in periods]
            for label, section in (
                (_("%(unit)s: members' participation"), MEMBER_REVENUE),
                (_("%(unit)s: non-members"), NON_MEMBER_REVENUE),
            ):
                unit_values = tuple(
                    sum(per_unit[i].get(a.id, 0) for a in by_section[section]) for i in range(2)
                )
                if any(unit_values):
                    rows.append(Row(label % {"unit": unit_label(u)}, unit_values, indent=1))
    since = fiscal_year_start(koperasi, period)
    total_revenue = plus(t[MEMBER_REVENUE], t[NON_MEMBER_REVENUE], t[chart.OTHER_INCOME])
    return Report(
        slug="shu",
        title=_("Statement of operating results (Perhitungan Hasil Usaha)"),
        subtitle=_("%(start)s to %(end)s") % {"start": month_name(since), "end": month_name(period)}
        + " · "
        + _scope_label(unit),
        label_header=_("Account"),
        value_headers=tuple(
            f"{month_name(fiscal_year_start(koperasi, p))} – {month_name(p)}" for p in periods
        ),
        rows=rows,
        notes=[
            _(
                "Gross participation is what members paid the koperasi for its services "
                "(sales to members, loan jasa, fees and penalties); its cost (beban pokok) "
                "is the cost of goods sold to members and the jasa paid on members' "
                "savings. Revenue from non-members and its cost are shown apart: only SHU "
                "from members' participation is shared by members' transactions."
            ),
        ],
        totals={
            "member_revenue": t[MEMBER_REVENUE][0],
            "member_cost": t[chart.MEMBER_COST][0],
            "net_participation": net_participation[0],
            "non_member_revenue": t[NON_MEMBER_REVENUE][0],
            "non_member_cost": t[chart.NON_MEMBER_COST][0],
            "non_member_profit": non_member_profit[0],
            "gross_shu": gross_shu[0],
            "operating_expenses": t[chart.OPERATING][0],
            "cooperative_expenses": t[chart.COOPERATIVE][0],
            "operating_shu": operating_shu[0],
            "other_income": t[chart.OTHER_INCOME][0],
            "other_expenses": t[chart.OTHER_EXPENSE][0],
            "shu_before_tax": before_tax[0],
            "income_tax": t[chart.TAX][0],
            "shu_after_tax": after_tax[0],
            "total_revenue": total_revenue[0],
            "total_expenses": total_revenue[0] - after_tax[0],
            "shu": after_tax[0],
            "previous_shu": after_tax[1],
        },
        link_kind="account",
    )


# --- Laporan Perubahan Ekuitas ---------------------------------------------------------------


def statement_of_equity(koperasi, period: int, unit: str | None = None) -> Report:
    """Each equity account (and the result not yet closed): balance at the start of the
    fiscal year, increases, decreases, balance at the end of ``period``; the previous
    fiscal year below it."""
    books = Books(koperasi)
    equity_accounts = [a for a in books.ordered() if a.type == E]
    rows: list[Row] = []
    totals: dict[str, int] = {}
    for n, end in enumerate([period, year_earlier(period)]):
        start = fiscal_year_start(koperasi, end)
        opening = books.sums(up_to=previous_month(start), unit=unit)
        moves = books.sums(up_to=end, since=start, unit=unit)
        rows.append(
            Row(
                _("Fiscal year %(start)s to %(end)s")
                % {"start": month_name(start), "end": month_name(end)},
                kind="heading",
            )
        )
        sum_open = sum_in = sum_out = sum_close = 0
        for account in equity_accounts:
            o = books.value(account.id, *opening.get(account.id, (0, 0)))
            d, c = moves.get(account.id, (0, 0))
            close = o + c - d
            if not (o or d or c):
                continue
            rows.append(
                Row(
                    account.name,
                    (o, c, d, close),
                    code=account.code,
                    indent=1,
                    link=str(account.id),
                )
            )
            sum_open, sum_in, sum_out, sum_close = (
                sum_open + o,
                sum_in + c,
                sum_out + d,
                sum_close + close,
            )
        r_open = _result(books, opening)
        r_move = _result(books, moves)
        if r_open or r_move:
            # Positive result adds to equity; a loss (or the closing entry) reduces it.
            inc, dec = (r_move, 0) if r_move >= 0 else (0, -r_move)
            rows.append(
                Row(
                    _("Result of the year not yet closed (SHU berjalan)"),
                    (r_open, inc, dec, r_open + r_move),
                    indent=1,
                )
            )
            sum_open, sum_in, sum_out, sum_close = (
                sum_open + r_open,
                sum_in + inc,
                sum_out + dec,
                sum_close + r_open + r_move,
            )
        rows.append(Row(_("Total equity"), (sum_open, sum_in, sum_out, sum_close), kind="total"))
        prefix = "" if n == 0 else "previous_"
        totals[prefix + "opening_equity"] = sum_open
        totals[prefix + "closing_equity"] = sum_close
    return Report(
        slug="perubahan-ekuitas",
        title=_("Statement of changes in equity (Perubahan Ekuitas)"),
        subtitle=_("%(start)s to %(end)s")
        % {"start": month_name(fiscal_year_start(koperasi, period)), "end": month_name(period)}
        + " · "
        + _scope_label(unit),
        label_header=_("Equity"),
        value_headers=(_("Opening"), _("Increase"), _("Decrease"), _("Closing")),
        rows=rows,
        totals=totals,
        link_kind="account",
    )


# --- Laporan Arus Kas (direct method) ----------------------------------------------------------

OPERATING, INVESTING, FINANCING, TRANSFER = "operating", "investing", "financing", "transfer"


def _is_cash(account: Account) -> bool:
    return account.type == A and (
        account.code.startswith(CASH_PREFIX) or account.code.startswith(BANK_PREFIX)
    )


def _activity(account: Account) -> str:
    if account.type == A and account.code.startswith(FIXED_ASSET_PREFIX):
        return INVESTING
    if account.type == E:
        return FINANCING
    if account.type == L and account.code.startswith(FINANCING_LIABILITY_PREFIXES):
        return FINANCING
    return OPERATING


def _cash_flows(books: Books, period: int, unit: str | None) -> dict:
    """Cash moved in months [start of fiscal year, period], by counter-account.

    An entry touching cash (of ``unit``) moves cash by exactly the opposite of its other
    lines, so each other line credit is cash received and each debit cash paid, labelled
    by that line's account. Cash of another unit is a transfer between units.
    """
    since = fiscal_year_start(books.koperasi, period)
    cash_ids = [aid for aid, a in books.accounts.items() if _is_cash(a)]
    cash_lines = JournalLine.objects.filter(
        koperasi=books.koperasi,
        account_id__in=cash_ids,
        period__gte=since,
        period__lte=period,
    ).values_list("entry_id", "account_id", "business_unit")
    entry_ids = {e for e, aid, u in cash_lines if books.in_unit(aid, u, unit)}
    flows: dict = defaultdict(int)  # (activity, account id) -> net cash in
    moved = 0
    counter = (
        JournalLine.objects.filter(koperasi=books.koperasi, entry_id__in=entry_ids)
        .values("account_id", "business_unit", "side")
        .annotate(total=Sum("amount"))
    )
    for row in counter:
        account = books.accounts[row["account_id"]]
        signed = row["total"] if row["side"] == Side.CREDIT else -row["total"]
        if _is_cash(account) and books.in_unit(account.id, row["business_unit"], unit):
            moved -= signed  # a debit to our cash is cash in
            continue
        activity = TRANSFER if _is_cash(account) else _activity(account)
        flows[(activity, account.id)] += signed
    opening = books.sums(up_to=previous_month(since), unit=unit)
    closing = books.sums(up_to=period, unit=unit)
    cash_open = sum(books.value(a, *opening[a]) for a in cash_ids if a in opening)
    cash_close = sum(books.value(a, *closing[a]) for a in cash_ids if a in closing)
    return {"flows": flows, "moved": moved, "open": cash_open, "close": cash_close}


def statement_of_cash_flows(koperasi, period: int, unit: str | None = None) -> Report:
    """Cash and bank received and paid, by activity (direct method); see ``_cash_flows``."""
    books = Books(koperasi)
    periods = [period, year_earlier(period)]
    data = [_cash_flows(books, p, unit) for p in periods]
    titles = {
        OPERATING: _("Operating activities"),
        INVESTING: _("Investing activities"),
        FINANCING: _("Financing activities"),
        TRANSFER: _("Transfers between business units"),
    }
    rows: list[Row] = []
    nets = [0, 0]
    for activity in (OPERATING, INVESTING, FINANCING, TRANSFER):
        keys = sorted(
            {aid for d in data for (act, aid) in d["flows"] if act == activity},
            key=lambda aid: books.accounts[aid].code,
        )
        if not keys:
            continue
        rows.append(Row(titles[activity], kind="heading"))
        subtotal = [0, 0]
        for aid in keys:
            values = tuple(d["flows"].get((activity, aid), 0) for d in data)
            if not any(values):
                continue
            account = books.accounts[aid]
            label = _("Received from / paid for: %(account)s") % {"account": account.name}
            rows.append(Row(label, values, code=account.code, indent=1, link=str(aid)))
            subtotal = [subtotal[i] + values[i] for i in range(2)]
        rows.append(
            Row(
                _("Net cash from %(activity)s") % {"activity": titles[activity].lower()},
                tuple(subtotal),
                kind="subtotal",
            )
        )
        nets = [nets[i] + subtotal[i] for i in range(2)]
    rows.append(Row(_("Net increase (decrease) in cash and bank"), tuple(nets), kind="total"))
    rows.append(Row(_("Cash and bank at the start of the year"), tuple(d["open"] for d in data)))
    rows.append(
        Row(
            _("Cash and bank at the end of the period"),
            tuple(d["close"] for d in data),
            kind="total",
        )
    )
    for d, net in zip(data, nets, strict=True):
        assert d["moved"] == net and d["open"] + net == d["close"], "cash flow does not tie"
    since = fiscal_year_start(koperasi, period)
    return Report(
        slug="arus-kas",
        title=_("Statement of cash flows (Arus Kas)"),
        subtitle=_("%(start)s to %(end)s") % {"start": month_name(since), "end": month_name(period)}
        + " · "
        + _scope_label(unit),
        label_header=_("Activity"),
        value_headers=tuple(
            f"{month_name(fiscal_year_start(koperasi, p))} – {month_name(p)}" for p in periods
        ),
        rows=rows,
        notes=[
            _(
                "Direct method: every journal entry that moves cash (Kas 1-11xx) or bank "
                "(1-12xx) is read, and its other lines show where the money came from or "
                "went to. A credit on the other account is cash received, a debit is cash "
                "paid. Fixed assets (1-2xxx) are investing activities; equity, member "
                "savings, SHU funds and bank loans are financing activities; everything "
                "else (sales, expenses, receivables, payables) is operating."
            ),
            _("Moves between cash and bank of the same scope are not cash flows."),
        ],
        totals={
            "net_change": nets[0],
            "opening_cash": data[0]["open"],
            "closing_cash": data[0]["close"],
            "previous_net_change": nets[1],
        },
        link_kind="account",
    )


# --- Neraca saldo (trial balance) ------------------------------------------------------------


def trial_balance(koperasi, period: int, unit: str | None = None) -> Report:
    """Every account's balance at the end of ``period`` in the debit or credit column."""
    books = Books(koperasi)
    sums = books.sums(up_to=period, unit=unit)
    rows: list[Row] = []
    total_d = total_c = 0
    for account in books.ordered():
        d, c = sums.get(account.id, (0, 0))
        net = d - c
        if not (d or c):
            continue
        dr, cr = (net, 0) if net >= 0 else (0, -net)
        total_d += dr
        total_c += cr
        rows.append(
            Row(
                account.name,
                (dr, cr),
                code=account.code,
                indent=books.depth[account.id],
                link=str(account.id),
            )
        )
    rows.append(Row(_("Total"), (total_d, total_c), kind="total"))
    return Report(
        slug="neraca-saldo",
        title=_("Trial balance (Neraca saldo)"),
        subtitle=_("As of %(date)s") % {"date": last_day(period).strftime("%d-%m-%Y")}
        + " · "
        + _scope_label(unit),
        label_header=_("Account"),
        value_headers=(_("Debit"), _("Credit")),
        rows=rows,
        totals={"debit": total_d, "credit": total_c},
        link_kind="account",
    )


# --- books: buku kas, buku bank, buku besar -----------------------------------------------------


def _book(
    koperasi,
    books: Books,
    accounts: list[Account],
    period: int,
    unit: str | None,
    *,
    slug: str,
    title: str,
) -> Report:
    ids = [a.id for a in accounts]
    before = books.sums(up_to=previous_month(period), unit=unit)
    opening = sum(books.value(a, *before[a]) for a in ids if a in before)
    debit_side = bool(accounts) and accounts[0].normal_side == Side.DEBIT
    lines = (
        JournalLine.objects.filter(koperasi=koperasi, account_id__in=ids, period=period)
        .select_related("entry")
        .order_by("date", "entry__number", "line_no")
    )
    rows = [Row(_("Opening balance"), (None, None, opening), kind="subtotal")]
    balance = opening
    total_d = total_c = 0
    many = len(accounts) > 1
    for line in lines:
        if not books.in_unit(line.account_id, line.business_unit, unit):
            continue
        d = line.amount if line.side == Side.DEBIT else 0
        c = line.amount if line.side == Side.CREDIT else 0
        total_d += d
        total_c += c
        balance += (d - c) if debit_side else (c - d)
        memo = line.entry.memo + (f" — {line.memo}" if line.memo else "")
        rows.append(
            Row(
                memo,
                (d or None, c or None, balance),
                code=books.accounts[line.account_id].code if many else "",
                texts=(line.date.strftime("%d-%m-%Y"), str(line.entry)),
                link=str(line.entry_id),
            )
        )
    rows.append(Row(_("Total this month"), (total_d, total_c, None), kind="subtotal"))
    rows.append(Row(_("Closing balance"), (None, None, balance), kind="total"))
    return Report(
        slug=slug,
        title=title,
        subtitle=month_name(period) + " · " + _scope_label(unit),
        text_headers=(_("Date"), _("Entry")),
        label_header=_("Description"),
        value_headers=(_("Debit"), _("Credit"), _("Balance")),
        rows=rows,
        totals={"opening": opening, "debit": total_d, "credit": total_c, "closing": balance},
        link_kind="entry",
    )


def cash_book(koperasi, period: int, unit: str | None = None) -> Report:
    """Buku kas: every cash line of the month with the running balance."""
    books = Books(koperasi)
    accounts = [a for a in books.ordered() if a.type == A and a.code.startswith(CASH_PREFIX)]
    return _book(koperasi, books, accounts, period, unit, slug="buku-kas", title=_("Cash book"))


def bank_book(koperasi, period: int, unit: str | None = None) -> Report:
    """Buku bank: every bank line of the month with the running balance."""
    books = Books(koperasi)
    accounts = [a for a in books.ordered() if a.type == A and a.code.startswith(BANK_PREFIX)]
    return _book(koperasi, books, accounts, period, unit, slug="buku-bank", title=_("Bank book"))


def general_ledger(koperasi, account: Account, period: int, unit: str | None = None) -> Report:
    """Buku besar of one account (its lines only, not its sub-accounts')."""
    books = Books(koperasi)
    return _book(
        koperasi,
        books,
        [books.accounts[account.id]],
        period,
        unit,
        slug=f"buku-besar-{account.code}",
        title=_("General ledger: %(code)s %(name)s") % {"code": account.code, "name": account.name},
    )


STATEMENTS = {
    "neraca": statement_of_position,
    "shu": statement_of_income,
    "arus-kas": statement_of_cash_flows,
    "perubahan-ekuitas": statement_of_equity,
    "neraca-saldo": trial_balance,
    "buku-kas": cash_book,
    "buku-bank": bank_book,
}


def unit_choices(koperasi) -> list[tuple[str, str]]:
    return [(u, unit_label(u)) for u in (koperasi.business_units or []) if u in BusinessUnit.values]

"""Loan reports as one ``Table`` each, rendered as a page, a PDF and an XLSX from the same
rows (so their figures agree): portfolio, aging/kolektibilitas, monthly flows, a member's
loan statement; and the loan agreement (perjanjian pinjaman) PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kopdes.domain import loans as engine
from kopdes.domain.money import terbilang
from kopdes.loans import selectors
from kopdes.loans.services import loan_terms
from kopdes.platform.documents import pdf, xlsx


@dataclass
class Table:
    """Headers, rows and which columns hold sen; ``sections`` split the rows with titles."""

    title: str
    subtitle: str
    headers: list[str]
    money: set[int]
    sections: list[tuple[str, list[list[Any]]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def respond(request: HttpRequest, table: Table, koperasi, filename: str) -> HttpResponse:
    """The page, or ``?format=pdf`` / ``?format=xlsx`` of the same table."""
    fmt = request.GET.get("format", "")
    if fmt == "pdf":
        return pdf.pdf_response(
            "loans/report_pdf.html", {"table": table, "koperasi": koperasi}, f"{filename}.pdf"
        )
    if fmt == "xlsx":
        wb, ws = xlsx.new_workbook(table.title)
        xlsx.write_row(ws, [table.title], bold=True)
        xlsx.write_row(ws, [table.subtitle])
        for title, rows in table.sections:
            if title:
                xlsx.write_row(ws, [title], bold=True)
            xlsx.write_header(ws, table.headers)
            for row in rows:
                xlsx.write_row(ws, row, money_columns=table.money)
        for note in table.notes:
            xlsx.write_row(ws, [note])
        xlsx.set_widths(ws, [28] + [18] * (len(table.headers) - 1))
        return xlsx.xlsx_response(wb, f"{filename}.xlsx")
    return render(request, "loans/report.html", {"table": table, "query": request.GET.urlencode()})


def portfolio(koperasi) -> Table:
    data = selectors.portfolio_report(koperasi)
    t = data["totals"]
    titles = {
        "product": _("By product"),
        "officer": _("By officer who entered it"),
        "area": _("By village area (region code)"),
    }
    table = Table(
        title=_("Loan portfolio"),
        subtitle=_("Active loans: %(n)s") % {"n": t["count"]},
        headers=[_("Group"), _("Loans"), _("Outstanding")],
        money={2},
    )
    for key, rows in data["sections"]:
        table.sections.append(
            (titles[key], [[r["key"], r["count"], r["outstanding"]] for r in rows])
        )
    table.sections.append(
        (
            _("Total"),
            [
                [_("Outstanding"), t["count"], t["outstanding"]],
                [
                    _("PAR 30 (more than 30 days late)"),
                    selectors.format_bp(t["par30_bp"]),
                    t["par30"],
                ],
                [
                    _("NPL (kurang lancar, diragukan, macet)"),
                    selectors.format_bp(t["npl_bp"]),
                    t["npl"],
                ],
                [_("PPAP required"), "", t["ppap_required"]],
            ],
        )
    )
    return table


def aging(koperasi) -> Table:
    data = selectors.aging_report(koperasi)
    table = Table(
        title=_("Loan aging and collectibility"),
        subtitle=_("Days past due as of the last daily run"),
        headers=[_("Group"), _("Loans"), _("Outstanding"), _("PPAP required")],
        money={2, 3},
    )
    table.sections.append(
        (
            _("Days past due"),
            [[r["key"], r["count"], r["outstanding"], ""] for r in data["buckets"]],
        )
    )
    table.sections.append(
        (
            _("Kolektibilitas"),
            [[r["key"], r["count"], r["outstanding"], r["ppap"]] for r in data["classes"]],
        )
    )
    t = data["totals"]
    table.notes.append(
        _("PAR 30: %(par)s · NPL: %(npl)s")
        % {"par": selectors.format_bp(t["par30_bp"]), "npl": selectors.format_bp(t["npl_bp"])}
    )
    table.notes.append(
        _(
            "Day ranges and PPAP rates are this koperasi's AD/ART settings (defaults from "
            "commercial- and rural-bank practice, to be checked for koperasi). Classes are "
            "those of the last daily run; a changed setting applies from the next run."
        )
    )
    return table


def monthly(koperasi, year: int) -> Table:
    rows = selectors.monthly_flows(koperasi, year=year)
    table = Table(
        title=_("Disbursements and collections by month"),
        subtitle=str(year),
        headers=[
            _("Month"),
            _("Loans disbursed"),
            _("Disbursed"),
            _("Principal collected"),
            _("Interest collected"),
            _("Penalty collected"),
        ],
        money={2, 3, 4, 5},
    )
    body = [
        [
            f"{year}-{r['month']:02d}",
            r["count"],
            r["disbursed"],
            r["principal"],
            r["interest"],
            r["penalty"],
        ]
        for r in rows
    ]
    total = [_("Total")] + [sum(r[i] for r in body) for i in range(1, 6)]
    table.sections.append(("", [*body, total]))
    return table


def statement(loan) -> Table:
    data = selectors.member_statement(loan)
    table = Table(
        title=_("Loan statement %(number)s") % {"number": loan.number},
        subtitle=f"{loan.member.number} {loan.member.full_name} · {loan.product.name}",
        headers=[
            _("Date / period"),
            _("Description"),
            _("Principal"),
            _("Interest"),
            _("Penalty"),
            _("Outstanding"),
        ],
        money={2, 3, 4, 5},
    )
    table.sections.append(
        (
            _("Schedule"),
            [
                [
                    f"{r.period}. {r.due_date:%d-%m-%Y}",
                    _("paid") if r.paid_on else "",
                    r.principal,
                    r.interest,
                    r.penalty_paid,
                    r.balance,
                ]
                for r in data["installments"]
            ],
        )
    )
    table.sections.append(
        (
            _("Payments"),
            [
                [
                    f"{p.date:%d-%m-%Y}",
                    f"{p.get_source_display()} ({_('corrected (reversed)')})"
                    if p.correction == "approved"
                    else p.get_source_display(),
                    p.principal,
                    p.interest,
                    p.penalty,
                    p.outstanding_after,
                ]
                for p in data["repayments"]
            ],
        )
    )
    return table


def agreement_pdf(loan, koperasi) -> HttpResponse:
    """Perjanjian pinjaman with the schedule (from the disbursement date, or a draft
    from the application date before disbursement)."""
    start = loan.disbursed_on or loan.applied_on
    if loan.disbursed_on:
        rows = [
            (r.period, r.due_date, r.principal, r.interest, r.principal + r.interest, r.balance)
            for r in selectors.installments(loan)
        ]
    else:
        schedule = engine.build_schedule(
            loan_terms(loan, principal=loan.principal, term=loan.term, start_date=start)
        )
        rows = [tuple(r) for r in schedule.installments]
    return pdf.pdf_response(
        "loans/agreement_pdf.html",
        {
            "koperasi": koperasi,
            "loan": loan,
            "member": loan.member,
            "rows": rows,
            "words": terbilang(loan.principal),
            "start": start,
            "total_interest": sum(r[3] for r in rows),
        },
        f"perjanjian-{loan.number}.pdf",
    )

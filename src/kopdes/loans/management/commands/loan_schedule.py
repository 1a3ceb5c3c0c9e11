"""``kopdes loan-schedule``: print an installment schedule for officers and auditors.

The same engine the loan pages use (``kopdes.domain.loans``), so a printed schedule and a
member's card always agree. A table by default; ``--json`` for machines (amounts as decimal
strings of rupiah, "527910.38"). Bad input gets an Indonesian message on stderr and exit 1.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kopdes.domain import loans
from kopdes.domain.money import MoneyError, format_rupiah, parse_rupiah


class Kesalahan(CommandError):
    """Shown on stderr as "Kesalahan: <pesan>" (Django prints the class name)."""


class Command(BaseCommand):
    help = (
        "Jadwal angsuran pinjaman (flat, efektif, anuitas). Contoh: kopdes loan-schedule "
        "--method anuitas --principal 5000000 --rate 1 --per month --term 10"
    )

    def add_arguments(self, parser: Any) -> None:
        # Free text (no argparse choices) so a wrong value gets our Indonesian message.
        parser.add_argument("--method", help="flat, efektif, atau anuitas")
        parser.add_argument("--principal", help="pokok pinjaman dalam rupiah, mis. 5000000")
        parser.add_argument("--rate", help="suku bunga dalam persen, mis. 1 atau 1,5")
        parser.add_argument("--per", default="month", help="bunga per month (bulan) atau year")
        parser.add_argument("--term", help="jumlah angsuran")
        parser.add_argument("--frequency", default="month", help="month (bulanan) atau week")
        parser.add_argument(
            "--rounding",
            default="rupiah",
            help=(
                "sen, rupiah, 100 atau 1000 (angsuran dibulatkan ke atas), down100, down1000 "
                "atau down10000 (dibulatkan ke bawah; sisanya di angsuran terakhir)"
            ),
        )
        parser.add_argument("--start-date", help="tanggal pencairan YYYY-MM-DD (jatuh tempo)")
        parser.add_argument("--grace", default="0", help="masa tenggang (angsuran jasa saja)")
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            terms = _terms_from_options(options)
            schedule = loans.build_schedule(terms)
        except loans.LoanError as exc:
            raise Kesalahan(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(schedule_as_json(schedule), ensure_ascii=False))
        else:
            self.stdout.write(render_table(schedule, per=options["per"]))


_PER_WORDS = {"month": "month", "bulan": "month", "year": "year", "tahun": "year"}
_FREQUENCY_WORDS = {"month": "month", "bulan": "month", "week": "week", "minggu": "week"}


def _terms_from_options(options: dict[str, Any]) -> loans.LoanTerms:
    missing = [
        name for name in ("method", "principal", "rate", "term") if options.get(name) in (None, "")
    ]
    if missing:
        raise loans.LoanError("Wajib diisi: " + ", ".join("--" + name for name in missing) + ".")
    try:
        principal = parse_rupiah(str(options["principal"]), allow_zero=False)
    except MoneyError as exc:
        raise loans.LoanError(f"Pokok pinjaman: {exc.message}") from None
    term = _positive_int(options["term"], "Jangka waktu (--term)", minimum=1)
    grace = _positive_int(options.get("grace") or "0", "Masa tenggang (--grace)", minimum=0)
    per = _PER_WORDS.get(str(options["per"]).strip().lower())
    if per is None:
        raise loans.LoanError("--per harus month (per bulan) atau year (per tahun).")
    frequency = _FREQUENCY_WORDS.get(str(options["frequency"]).strip().lower())
    if frequency is None:
        raise loans.LoanError("--frequency harus month (bulanan) atau week (mingguan).")
    rate = loans.periodic_rate(str(options["rate"]), per=per, frequency=frequency)
    start = None
    if options.get("start_date"):
        try:
            start = dt.date.fromisoformat(str(options["start_date"]))
        except ValueError:
            raise loans.LoanError(
                f"Tanggal '{options['start_date']}' tidak bisa dibaca. Tulis YYYY-MM-DD."
            ) from None
    return loans.LoanTerms(
        method=loans.parse_method(str(options["method"])),
        principal=principal,
        rate=rate,
        term=term,
        rounding=loans.parse_rounding(str(options["rounding"])),
        frequency=loans.Frequency(frequency),
        start_date=start,
        grace_periods=grace,
    )


def _positive_int(value: Any, label: str, *, minimum: int) -> int:
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        raise loans.LoanError(f"{label} harus bilangan bulat, misalnya 12.")
    number = int(text)
    if number < minimum:
        raise loans.LoanError(f"{label} paling sedikit {minimum}.")
    return number


def schedule_as_json(schedule: loans.Schedule) -> dict[str, Any]:
    """The schedule as the command's JSON object (amounts as decimal strings of rupiah)."""
    money = loans.format_sen_decimal
    rows: list[dict[str, Any]] = []
    for row in schedule.installments:
        item: dict[str, Any] = {"period": row.period}
        if row.due_date is not None:
            item["due_date"] = row.due_date.isoformat()
        item.update(
            principal=money(row.principal),
            interest=money(row.interest),
            installment=money(row.installment),
            balance=money(row.balance),
        )
        rows.append(item)
    return {
        "installments": rows,
        "total_interest": money(schedule.total_interest),
        "total_paid": money(schedule.total_paid),
    }


_METHOD_WORDS = {
    loans.LoanMethod.FLAT: "bunga flat",
    loans.LoanMethod.EFEKTIF: "bunga efektif (menurun)",
    loans.LoanMethod.ANUITAS: "anuitas",
}


def render_table(schedule: loans.Schedule, *, per: str) -> str:
    """A plain-text table an officer can read or print."""
    terms = schedule.terms
    with_sen = terms.rounding is loans.Rounding.SEN

    def rp(sen: int) -> str:
        return format_rupiah(sen, show_sen=True if with_sen else None)

    dates = terms.start_date is not None
    headers = ["Ke", *(["Jatuh tempo"] if dates else []), "Pokok", "Jasa", "Angsuran", "Sisa"]
    body: list[list[str]] = []
    for row in schedule.installments:
        cells = [str(row.period)]
        if dates and row.due_date is not None:
            cells.append(row.due_date.strftime("%d-%m-%Y"))
        cells += [rp(row.principal), rp(row.interest), rp(row.installment), rp(row.balance)]
        body.append(cells)
    total = ["Jumlah", *([""] if dates else [])]
    total += [rp(schedule.total_principal), rp(schedule.total_interest), rp(schedule.total_paid)]
    total.append("")
    widths = [max(len(r[c]) for r in [headers, *body, total]) for c in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    unit = "minggu" if terms.frequency is loans.Frequency.WEEK else "bulan"
    per_word = "tahun" if per == "year" else "bulan"
    rate_pct = terms.rate * 100
    title = (
        f"Jadwal angsuran {_METHOD_WORDS[terms.method]}: pokok {rp(terms.principal)}, "
        f"{terms.term} x per {unit}, suku bunga {_percent(rate_pct)}% per {unit}"
    )
    if per_word != unit:
        title += f" (dari bunga per {per_word})"
    rule = "-" * len(line(headers))
    out = [title, "", line(headers), rule, *(line(r) for r in body), rule, line(total)]
    return "\n".join(out)


def _percent(value: Any) -> str:
    """A rate in percent with at most 4 decimals, Indonesian comma ("1,5")."""
    scaled = loans.round_half_up(value * 10_000)  # exact rational -> integer of 1/10000 %
    whole, frac = divmod(scaled, 10_000)
    text = str(whole) if not frac else f"{whole},{frac:04d}".rstrip("0")
    return text

"""Text that cannot break an export (issue 13 part 2): every exporter survives any text.

Rows stored before control characters were refused (or written by a bug that bypasses
the forms) may hold anything a database keeps. Each export path (XLSX through
``documents.xlsx``, PDF through ``documents.pdf``, hledger and beancount through
``ledger.export``) is fed arbitrary Unicode here, control characters and lone surrogates
included, and its output is read back: openpyxl opens the workbook, pypdf and pdftotext
the PDF, ``hledger print`` the journal. The site has no CSV export (the member data
export is JSON or PDF). The routes that answered 500 in issue 13 (the cash book and the
account ledgers as XLSX with a NUL memo) answer 200 with a file that opens.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from conftest import require
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from kopdes.domain.text import REPLACEMENT, first_refused, printable
from kopdes.ledger import export, reports
from kopdes.ledger.models import Account
from kopdes.ledger.testing import post_simple, with_books
from kopdes.ledger.views import report_workbook
from kopdes.platform.core import testing
from kopdes.platform.documents import pdf, xlsx

# Any code point, surrogates and control characters included.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=60)
# What a database can hold: SQLite and PostgreSQL both refuse lone surrogates; PostgreSQL
# refuses NUL as well (so there the stored control character is U+0001), SQLite keeps it.
STORABLE_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)
PG_STORABLE_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=60
)


def _nul() -> str:
    """The lowest control character the database under test stores."""
    return "\x01" if connection.vendor == "postgresql" else "\x00"


HLEDGER = shutil.which("hledger")
PDFTOTEXT = shutil.which("pdftotext")
_keys = itertools.count(1)


def _lines(text: str) -> str:
    """What a cell keeps of a text: XML reads every line break back as ``\\n``."""
    return printable(text).replace("\r\n", "\n").replace("\r", "\n")


def _report(texts: list[str]) -> reports.Report:
    a, b, c, d = texts
    return reports.Report(
        slug="uji",
        title=a,
        subtitle=b,
        label_header=c,
        value_headers=(d, "Saldo"),
        text_headers=("Tanggal", d),
        rows=[
            reports.Row(a, (100_00, None), texts=(b, c), code=d),
            reports.Row(d, (None, -5_00), kind="total", indent=1, texts=(c, a)),
        ],
        notes=[c, d],
    )


# --- XLSX ----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(ANY_TEXT, min_size=4, max_size=4), ANY_TEXT)
def test_a_report_workbook_with_any_text_opens_and_shows_it(texts, name):
    koperasi = SimpleNamespace(name=name, slug="uji")
    data = xlsx.workbook_bytes(report_workbook(_report(texts), koperasi))
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    shown = "\n".join(cells)
    for text in [*texts, name]:
        if text.strip():
            assert _lines(text).strip() in shown
    assert first_refused(shown, multiline=True) is None
    assert sheet.title == xlsx.sheet_title(texts[0])


@settings(max_examples=40, deadline=None)
@given(ANY_TEXT, ANY_TEXT)
def test_a_savings_statement_workbook_with_any_memo_opens(memo, title):
    from kopdes.savings.export import statement_xlsx

    row = SimpleNamespace(
        date=dt.date(2026, 3, 1), account=title, kind="deposit", memo=memo,
        credit=1_000_00, debit=0, balance=1_000_00,
    )  # fmt: skip
    statement = SimpleNamespace(
        title=title, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31),
        opening=0, rows=[row], total_in=1_000_00, total_out=0, closing=1_000_00,
    )  # fmt: skip
    data = statement_xlsx(SimpleNamespace(name=memo), statement)
    sheet = load_workbook(io.BytesIO(data)).active
    values = [v for r in sheet.iter_rows(values_only=True) for v in r if isinstance(v, str)]
    assert any(_lines(memo).strip() in v for v in values)


@pytest.mark.parametrize("text", ["=1+1", "\x00=1+1", "\t=cmd", "@SUM(A1)", "-2"])
def test_a_formula_stays_text_after_the_characters_are_replaced(text):
    value = xlsx.safe_text(text)
    assert value.startswith(("'", REPLACEMENT))
    assert first_refused(value, multiline=True) is None


# --- PDF -----------------------------------------------------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANY_TEXT, min_size=4, max_size=4), ANY_TEXT)
def test_a_report_pdf_with_any_text_renders_and_reads_back(texts, name):
    koperasi = SimpleNamespace(name=name, badan_hukum_number=texts[1], address=texts[2])
    data = pdf.render_pdf(
        "ledger/report_pdf.html", {"report": _report(texts), "koperasi": koperasi}
    )
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    for page in reader.pages:
        page.extract_text()  # parses every page's content (pypdf's text mapping of a
        # fallback font can be garbled; pdftotext's below is the reading checked)
    if PDFTOTEXT:
        done = subprocess.run([PDFTOTEXT, "-", "-"], input=data, capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert b"Bendahara" in done.stdout


def test_pdftotext_is_there_to_read_the_pdfs():
    require(PDFTOTEXT is not None, "pdftotext is not installed (apt install poppler-utils)")


# --- hledger and beancount -----------------------------------------------------------------


_BEAN_STRING = r'"(?:[^"\\\n]|\\.)*"'
_BEAN_LINE = re.compile(
    "|".join(
        [
            r"",
            r";[^\n]*",
            rf"option {_BEAN_STRING} {_BEAN_STRING}",
            r"\d{4}-\d\d-\d\d commodity IDR",
            r"\d{4}-\d\d-\d\d open [A-Z][A-Za-z0-9:-]* IDR",
            rf"\d{{4}}-\d\d-\d\d \* {_BEAN_STRING} {_BEAN_STRING}",
            rf"  kind: {_BEAN_STRING}",
            r"  [A-Z][A-Za-z0-9:-]*  -?\d+\.\d\d IDR",
        ]
    )
)


def _unescape_bean(token: str) -> str:
    return re.sub(r"\\(.)", r"\1", token[1:-1])


@given(ANY_TEXT)
def test_one_line_and_a_beancount_string_hold_any_text(text):
    line = export._one_line(text)
    assert "\n" not in line and "\r" not in line
    assert first_refused(line) is None  # no control character, tab or line break left
    token = export._bean_string(text)
    assert re.fullmatch(_BEAN_STRING, token)
    assert _unescape_bean(token) == line


def _hledger_print(text: str, tmp_path) -> str:
    path = tmp_path / "kopdes.journal"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [HLEDGER, "-f", str(path), "print"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.django_db
def test_hledger_and_beancount_exports_survive_any_stored_text(koperasi, tmp_path):
    require(HLEDGER is not None, "hledger is not installed (apt install hledger)")
    with_books(koperasi)
    kas = Account.objects.get(koperasi=koperasi, code="1-1100")
    day = timezone.localdate()
    storable = PG_STORABLE_TEXT if connection.vendor == "postgresql" else STORABLE_TEXT

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(storable, storable)
    def check(memo, name):
        # Written under the forms and schemas, as an old row or a bug would have done.
        koperasi.name = name
        koperasi.save(update_fields=["name"])
        Account.objects.filter(pk=kas.pk).update(name=name or "Kas")
        entry = post_simple(koperasi, date=day, memo="m" + memo, key=f"any-{next(_keys)}")
        hledger = "".join(export.export_hledger(koperasi))
        printed = _hledger_print(hledger, tmp_path)
        assert f"({entry})" in printed
        stored = type(entry).objects.get(pk=entry.pk).memo  # the service trims it
        description = export._one_line(stored).replace(";", ",")
        assert description.strip() in printed
        beancount = "".join(export.export_beancount(koperasi))
        for number, line in enumerate(beancount.split("\n"), start=1):
            assert _BEAN_LINE.fullmatch(line), (number, line)
        assert export._bean_string(stored) in beancount

    check()


# --- the routes that answered 500 ----------------------------------------------------------


@pytest.fixture
def nul_books(client, koperasi):
    """Books holding a NUL, an escape and a bidi override in memos, stored directly through
    the posting service (no form or schema on the way), and a logged-in bendahara."""
    with_books(koperasi)
    user = testing.make_user("bendahara", koperasi)
    day = timezone.localdate()
    post_simple(koperasi, actor=user, date=day, memo=f"Setoran{_nul()} kas", key="nul-1")
    post_simple(
        koperasi, actor=user, date=day, memo="=HYPERLINK(\x1b[31m)\u202e", key="nul-2",
        debit="1-1100", credit="3-2000",
    )  # fmt: skip
    testing.login(client, user)
    return client


def _period() -> str:
    return timezone.localdate().strftime("%Y-%m")


@pytest.mark.django_db
def test_cash_book_xlsx_and_pdf_with_a_nul_memo_answer_200_and_open(nul_books, koperasi):
    url = reverse("ledger:cash-book", kwargs={"slug": koperasi.slug})
    sheet = nul_books.get(url, {"periode": _period(), "format": "xlsx"})
    assert sheet.status_code == 200
    cells = [
        v
        for row in load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str)
    ]
    assert any(f"Setoran{REPLACEMENT} kas" in v for v in cells)
    assert any(v.startswith(f"'=HYPERLINK({REPLACEMENT}[31m){REPLACEMENT}") for v in cells)
    document = nul_books.get(url, {"periode": _period(), "format": "pdf"})
    assert document.status_code == 200
    assert PdfReader(io.BytesIO(document.content)).pages


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["1-1100", "3-2000"])
def test_account_ledger_xlsx_with_a_nul_memo_answers_200_and_opens(nul_books, koperasi, code):
    account = Account.objects.get(koperasi=koperasi, code=code)
    url = reverse("ledger:account-ledger", kwargs={"slug": koperasi.slug, "account_id": account.pk})
    sheet = nul_books.get(url, {"periode": _period(), "format": "xlsx"})
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert any(f"Setoran{REPLACEMENT} kas" in str(v) for row in rows for v in row)


@pytest.mark.django_db
def test_export_ledger_command_with_a_nul_memo_writes_a_journal_hledger_reads(
    nul_books, koperasi, tmp_path
):
    from django.core.management import call_command

    require(HLEDGER is not None, "hledger is not installed (apt install hledger)")
    path = tmp_path / "kopdes.journal"
    call_command("export_ledger", format="hledger", koperasi=koperasi.slug, output=str(path))
    text = path.read_text(encoding="utf-8")
    assert _nul() not in text and "\x1b" not in text and "\u202e" not in text
    assert f"Setoran{REPLACEMENT} kas" in _hledger_print(text, tmp_path)
    bean = tmp_path / "kopdes.beancount"
    call_command("export_ledger", format="beancount", koperasi=koperasi.slug, output=str(bean))
    assert _nul() not in bean.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_savings_statement_with_a_nul_memo_answers_200_and_opens(client, koperasi):
    from kopdes.savings import services
    from kopdes.savings.testing import teller, voluntary_account

    kasir = teller(koperasi)
    account = voluntary_account(koperasi, balance=100_000_00, actor=kasir)
    day = timezone.localdate()
    services.deposit(
        account, actor=kasir, amount=5_000_00, date=day, idempotency_key="nul-dep",
        memo=f"titipan{_nul()}\x07",
    )  # fmt: skip
    testing.login(client, kasir)
    query = {"date_from": day.replace(day=1).isoformat(), "date_to": day.isoformat()}
    url = reverse(
        "savings:member-statement", kwargs={"slug": koperasi.slug, "member_id": account.member_id}
    )
    sheet = client.get(url, {**query, "format": "xlsx"})
    assert sheet.status_code == 200
    values = [
        v
        for row in load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str)
    ]
    assert any(f"titipan{REPLACEMENT}{REPLACEMENT}" in v for v in values)
    account_url = reverse(
        "savings:account", kwargs={"slug": koperasi.slug, "savings_account_id": account.pk}
    )
    own = client.get(account_url, {**query, "format": "xlsx"})
    assert own.status_code == 200
    assert load_workbook(io.BytesIO(own.content)).active.max_row > 4
    document = client.get(account_url, {**query, "format": "pdf"})
    assert document.status_code == 200
    assert PdfReader(io.BytesIO(document.content)).pages


@pytest.mark.django_db
def test_member_card_and_data_export_with_a_control_character_in_the_name(client, koperasi):
    from kopdes.members.models import Member
    from kopdes.members.testing import make_member

    member = make_member(koperasi)
    Member.objects.filter(pk=member.pk).update(full_name=f"Siti{_nul()}\u202e Aminah")
    testing.login(client, testing.make_user("kasir", koperasi))
    card = client.get(
        reverse("members:member-card", kwargs={"slug": koperasi.slug, "member_id": member.pk})
    )
    assert card.status_code == 200
    if PDFTOTEXT:
        done = subprocess.run([PDFTOTEXT, "-", "-"], input=card.content, capture_output=True)
        assert done.returncode == 0
        assert f"Siti{REPLACEMENT}{REPLACEMENT} Aminah" in done.stdout.decode()
    read = client.get(
        f"/api/k/{koperasi.slug}/members/{member.pk}",
        HTTP_AUTHORIZATION=f"Bearer {_token(koperasi)}",
    )
    assert read.status_code == 200  # a response shows what is stored, never refuses it
    assert read.json()["full_name"] == f"Siti{_nul()}\u202e Aminah"


def _token(koperasi) -> str:
    from kopdes.platform.identity.services import create_api_token

    user = testing.make_user("sekretaris", koperasi)
    return create_api_token(user, actor=user, name="uji")[1]

"""One real-browser journey per role, at 360 px and 1280 px: each does its own task through
the pages (clicks and typing; services only set up the data around it), the task completes
(the row is in the database, the page shows the result), no amount breaks across lines and
no page scrolls sideways.

kasir: a deposit at the counter · sekretaris: a new member · petugas pinjaman: a loan
application · ketua: approves a loan application · bendahara: a journal entry, then the
statement of SHU and the neraca · pengawas: the audit log · anggota: her passbook and her
loan schedule in the portal · dinas: its region's koperasi, one of them and its neraca.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kopdes.platform.core import testing

from .conftest import PHONE
from .helpers import SIZES, assert_amounts_whole, enter_as, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "sukamaju"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


@pytest.fixture
def sukamaju(transactional_db):
    from kopdes.ledger.testing import with_books

    koperasi = testing.make_koperasi(
        SLUG, region_code="32.01.26.2001", name="Koperasi Desa Merah Putih Sukamaju"
    )
    with_books(koperasi)
    return koperasi


def url(live_server, name: str, **kwargs) -> str:
    return f"{live_server.url}{reverse(name, kwargs={'slug': SLUG, **kwargs})}"


def check_page(page, viewport, screenshot, name: str, *, amounts: int = 0) -> None:
    """The page fits the screen, its amounts are whole (at least ``amounts`` of them)."""
    assert fits(page, viewport["width"]), f"{name} scrolls sideways"
    seen = assert_amounts_whole(page)
    assert seen >= amounts, f"{name}: {seen} amounts, expected at least {amounts}"
    screenshot(page, name)


def open_menu_link(page, viewport, href: str) -> None:
    """Tap the main menu's link to ``href`` (the phone opens the menu first)."""
    if viewport is PHONE:
        page.click("[data-testid=nav-toggle]")
    page.click(f'.mainnav a[href="{href}"]')
    page.wait_for_url(f"**{href}")


def member_with_savings(koperasi, kasir, *, name: str = "Euis Maryani"):
    from kopdes.savings import services as savings
    from kopdes.savings.testing import active_member

    today = timezone.localdate()
    member = active_member(koperasi, actor=kasir, date=today, full_name=name)
    account = savings.open_account(member, actor=kasir, kind="sukarela", date=today)
    return member, account


# --- kasir ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_kasir_records_a_deposit_at_the_counter(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    from kopdes.savings.choices import TxnKind
    from kopdes.savings.models import SavingsTransaction

    kasir = testing.make_user("kasir", sukamaju)
    member, account = member_with_savings(sukamaju, kasir)
    page = new_page(viewport)
    enter_as(page, live_server.url, kasir)
    page.goto(url(live_server, "savings:home"))
    page.fill("#id_q", member.number)
    page.click("[data-testid=find-member] button[type=submit]")
    page.wait_for_url(url(live_server, "savings:member", member_id=member.pk))
    page.click("[data-testid=deposit]")
    page.wait_for_url(url(live_server, "savings:deposit", member_id=member.pk))
    assert page.locator("[data-testid=pokok-first]").count() == 0
    page.select_option("#id_account", value=str(account.pk))
    page.fill("#id_amount", "1.234.567")
    page.fill("#id_memo", "Setoran hasil panen")
    check_page(page, viewport, screenshot, f"journey-kasir-form-{size}")
    page.click("button[name=step][value=review]")
    assert page.locator("[data-testid=confirm-amount]").inner_text() == "Rp 1.234.567"
    words = page.locator("[data-testid=terbilang]").inner_text()
    assert words == "satu juta dua ratus tiga puluh empat ribu lima ratus enam puluh tujuh rupiah"
    assert page.locator("[data-testid=needs-approval]").count() == 0
    check_page(page, viewport, screenshot, f"journey-kasir-confirm-{size}", amounts=1)
    page.click("[data-testid=post]")
    page.wait_for_url("**/simpanan/bukti/*/")
    assert page.locator("[data-testid=receipt-amount]").inner_text() == "Rp 1.234.567"
    assert "Euis Maryani" in page.locator("[data-testid=receipt]").inner_text()
    check_page(page, viewport, screenshot, f"journey-kasir-receipt-{size}", amounts=2)
    deposits = SavingsTransaction.objects.filter(account=account, kind=TxnKind.DEPOSIT)
    assert list(deposits.values_list("amount", flat=True)) == [1_234_567_00]
    account.refresh_from_db()
    assert account.balance == 1_234_567_00


# --- sekretaris ----------------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_sekretaris_registers_a_member_picking_the_village_by_name(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    from kopdes.members.choices import MemberStatus
    from kopdes.members.models import Member
    from kopdes.members.testing import nik_for

    sekretaris = testing.make_user("sekretaris", sukamaju)
    page = new_page(viewport)
    enter_as(page, live_server.url, sekretaris)
    page.goto(url(live_server, "members:member-list"))
    page.click(f'main a[href="{reverse("members:member-register", kwargs={"slug": SLUG})}"]')
    page.wait_for_url(url(live_server, "members:member-register"))
    born = dt.date(1988, 4, 17)
    page.fill("#id_full_name", "Siti Nurhaliza")
    page.fill("#id_nik", nik_for(sukamaju, born, "P", 731))
    page.fill("#id_kk_number", "3201260000000731")
    page.fill("#id_birth_place", "Bogor")
    page.fill("#id_birth_date", born.strftime("%d-%m-%Y"))
    page.select_option("#id_sex", "P")
    page.fill("#id_address", "Kp. Babakan RT 03/RW 02")
    # She lives in the next village: picked by its name, saved as its code.
    village = page.locator("#id_region_code")
    village.press_sequentially("Cipayung, Mega", delay=20)
    option = page.locator("#id_region_code-villages option").first
    option.wait_for(state="attached")
    label = option.get_attribute("value")
    assert label == "Cipayung, Megamendung, Kabupaten Bogor, Jawa Barat (32.01.26.2006)"
    village.fill(label)
    page.fill("#id_phone", "081234567890")
    page.fill("#id_heir1_name", "Ahmad Fauzi")
    page.fill("#id_heir1_relation", "suami")
    page.fill("#id_heir1_share", "100")
    page.check("#id_consent")
    assert fits(page, viewport["width"])
    screenshot(page, f"journey-sekretaris-form-{size}")
    page.click("[data-testid=register-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/anggota/[0-9a-f-]{36}/$"))
    member = Member.objects.get(koperasi=sukamaju, full_name="Siti Nurhaliza")
    assert member.region_code == "32.01.26.2006"
    assert member.status == MemberStatus.CANDIDATE
    assert page.url == url(live_server, "members:member-detail", member_id=member.pk)
    main = page.locator("main").inner_text()
    assert member.number in main and "Siti Nurhaliza" in main
    assert "Cipayung" in main and "32.01.26.2006" not in main  # the village by its name
    check_page(page, viewport, screenshot, f"journey-sekretaris-member-{size}")
    # Her page leads to her savings, where simpanan pokok comes first.
    page.click("[data-testid=member-savings]")
    page.wait_for_url(url(live_server, "savings:member", member_id=member.pk))
    assert "Siti Nurhaliza" in page.inner_text("h1")
    assert page.locator("[data-testid=pay-pokok]").count() == 0  # the kasir's work, not hers
    assert "Rp 0" in page.locator("[data-testid=accounts]").inner_text()
    check_page(page, viewport, screenshot, f"journey-sekretaris-savings-{size}")


# --- petugas pinjaman ----------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_petugas_pinjaman_enters_a_loan_application(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    from kopdes.loans.choices import LoanStatus
    from kopdes.loans.models import Loan
    from kopdes.loans.testing import product

    petugas = testing.make_user("petugas_pinjaman", sukamaju)
    kasir = testing.make_user("kasir", sukamaju)
    product(sukamaju, rate_percent="1.5")
    member, _account = member_with_savings(sukamaju, kasir)
    today = timezone.localdate()
    page = new_page(viewport)
    enter_as(page, live_server.url, petugas)
    page.goto(url(live_server, "loans:home"))
    page.click("[data-testid=apply]")
    page.wait_for_url(url(live_server, "loans:loan-apply"))
    page.fill("#member", member.number)
    page.fill("#principal", "12.000.000")
    page.fill("#term", "12")
    page.fill("#applied_on", today.strftime("%d-%m-%Y"))
    page.fill("#purpose", "Modal warung sembako")
    page.fill("#declared_income", "6.500.000")
    page.fill("#declared_expense", "2.000.000")
    page.click("[data-testid=simulate]")
    page.locator("[data-testid=submit-application]").wait_for()
    # Flat 1,5% per month: Rp 1.000.000 pokok + Rp 180.000 jasa each month.
    assert "2.160.000" in page.locator("main").inner_text()
    check_page(page, viewport, screenshot, f"journey-petugas-simulation-{size}", amounts=60)
    page.click("[data-testid=submit-application]")
    page.wait_for_url(re.compile(r".*/pinjaman/[0-9a-f-]{36}/$"))
    loan = Loan.objects.get(member=member)
    assert (loan.principal, loan.term, loan.status) == (12_000_000_00, 12, LoanStatus.APPLIED)
    assert loan.purpose == "Modal warung sembako"
    assert (
        page.locator("[data-testid=loan-title]").inner_text().startswith(f"Pinjaman {loan.number}")
    )
    assert page.locator("[data-testid=loan-status]").inner_text() == loan.get_status_display()
    check_page(page, viewport, screenshot, f"journey-petugas-loan-{size}", amounts=8)
    # Her own entry: approving it is refused with a plain message, nothing changes.
    page.click("[data-testid=approve]")
    page.wait_for_url(url(live_server, "loans:loan-detail", loan_id=loan.pk))
    assert "petugas lain yang harus memutuskannya" in page.inner_text("[data-testid=messages]")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.APPLIED


# --- ketua ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_ketua_approves_a_loan_application(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    from kopdes.loans import services as loans
    from kopdes.loans.choices import LoanStatus
    from kopdes.loans.testing import product

    ketua = testing.make_user("ketua", sukamaju)
    petugas = testing.make_user("petugas_pinjaman", sukamaju)
    kasir = testing.make_user("kasir", sukamaju)
    member, _account = member_with_savings(sukamaju, kasir, name="Dedi Kurniawan")
    loan = loans.apply_for_loan(
        member,
        actor=petugas,
        product=product(sukamaju, actor=ketua),
        principal=23_483_609_00,
        term=24,
        applied_on=timezone.localdate(),
    )
    page = new_page(viewport)
    enter_as(page, live_server.url, ketua)
    page.goto(url(live_server, "web:dashboard"))
    open_menu_link(page, viewport, reverse("loans:home", kwargs={"slug": SLUG}))
    waiting = page.locator("[data-testid=loan-table]").first
    assert "Dedi Kurniawan" in waiting.inner_text()
    check_page(page, viewport, screenshot, f"journey-ketua-loans-{size}", amounts=4)
    waiting.get_by_role("link", name=loan.number, exact=True).click()
    page.wait_for_url(url(live_server, "loans:loan-detail", loan_id=loan.pk))
    check_page(page, viewport, screenshot, f"journey-ketua-application-{size}", amounts=8)
    page.click("[data-testid=approve]")
    page.wait_for_url(url(live_server, "loans:loan-detail", loan_id=loan.pk))
    loan.refresh_from_db()
    assert loan.status == LoanStatus.APPROVED
    assert loan.decided_by_id == ketua.pk
    assert page.locator("[data-testid=loan-status]").inner_text() == loan.get_status_display()
    assert page.locator("[data-testid=approve]").count() == 0
    # The loan page's buttons are the approvals inbox's one decide pair (it came back here).
    assert "Disetujui: Pengajuan pinjaman." in page.locator(".messages").inner_text()
    check_page(page, viewport, screenshot, f"journey-ketua-approved-{size}", amounts=8)


# --- bendahara -----------------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_bendahara_records_income_and_reads_shu_and_neraca(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    from kopdes.ledger.models import JournalEntry

    bendahara = testing.make_user("bendahara", sukamaju)
    page = new_page(viewport)
    enter_as(page, live_server.url, bendahara)
    page.goto(url(live_server, "web:dashboard"))
    open_menu_link(page, viewport, reverse("ledger:home", kwargs={"slug": SLUG}))
    page.click("[data-testid=new-entry]")
    page.wait_for_url(url(live_server, "ledger:entry-create"))
    page.fill("#id_memo", "Penjualan sembako ke anggota")
    page.select_option("#id_lines-0-account", label="1-1100 Kas")
    page.fill("[name=lines-0-debit]", "23.483.609")
    page.select_option("#id_lines-1-account", label="4-1100 Pendapatan usaha - partisipasi anggota")
    page.fill("[name=lines-1-credit]", "23.483.609")
    page.locator("[data-testid=balanced]").wait_for()
    assert fits(page, viewport["width"])
    screenshot(page, f"journey-bendahara-entry-{size}")
    page.click("[data-testid=review]")
    words = page.locator("[data-testid=terbilang]").inner_text()
    assert words == (
        "dua puluh tiga juta empat ratus delapan puluh tiga ribu enam ratus sembilan rupiah"
    )
    page.click("[data-testid=post]")
    page.wait_for_url("**/buku/jurnal/*/")
    entry = JournalEntry.objects.get(koperasi=sukamaju, memo="Penjualan sembako ke anggota")
    assert sorted(entry.lines.values_list("account__code", "side", "amount")) == [
        ("1-1100", "D", 23_483_609_00),
        ("4-1100", "C", 23_483_609_00),
    ]
    check_page(page, viewport, screenshot, f"journey-bendahara-posted-{size}", amounts=2)
    # The statement of SHU: partisipasi bruto and the SHU show the sale.
    page.goto(url(live_server, "ledger:home"))
    page.click(f'main a[href="{reverse("ledger:statement-income", kwargs={"slug": SLUG})}"]')
    page.wait_for_url(url(live_server, "ledger:statement-income"))
    table = page.locator("[data-testid=report-table]").inner_text()
    assert "Partisipasi neto" in table or "partisipasi neto" in table.lower()
    assert table.count("23.483.609") >= 2
    check_page(page, viewport, screenshot, f"journey-bendahara-shu-{size}", amounts=30)
    # The neraca: the cash is there, and the assets equal liabilities and equity.
    page.goto(url(live_server, "ledger:home"))
    page.click(f'main a[href="{reverse("ledger:statement-position", kwargs={"slug": SLUG})}"]')
    page.wait_for_url(url(live_server, "ledger:statement-position"))
    assert "Laporan Posisi Keuangan" in page.inner_text("h1")
    assert page.locator("[data-testid=report-table]").inner_text().count("23.483.609") >= 2
    check_page(page, viewport, screenshot, f"journey-bendahara-neraca-{size}", amounts=10)


# --- pengawas ------------------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_pengawas_reads_the_audit_log(live_server, new_page, screenshot, sukamaju, viewport, size):
    from kopdes.savings import services as savings

    pengawas = testing.make_user("pengawas", sukamaju)
    kasir = testing.make_user("kasir", sukamaju)
    _member, account = member_with_savings(sukamaju, kasir)
    savings.deposit(
        account,
        actor=kasir,
        amount=1_234_567_00,
        date=timezone.localdate(),
        idempotency_key="journey-audit-1",
    )
    page = new_page(viewport)
    enter_as(page, live_server.url, pengawas)
    page.goto(url(live_server, "web:dashboard"))
    open_menu_link(page, viewport, reverse("audit:event-list", kwargs={"slug": SLUG}))
    listing = page.locator("[data-testid=audit-table]").inner_text()
    assert "Setoran dicatat" in listing
    assert ".posted" not in listing and "savings." not in listing
    assert not UUID.search(page.locator("main").inner_text())
    check_page(page, viewport, screenshot, f"journey-pengawas-log-{size}", amounts=3)
    # Only the deposits: chosen by their Indonesian name.
    page.select_option("#id_action", label="Setoran dicatat")
    page.click("[data-testid=audit-filters] button[type=submit]")
    page.wait_for_url("**action=savings.deposit.posted**")
    cards = page.locator("[data-testid=audit-table] article")
    assert cards.count() == 1
    card = cards.first.inner_text()
    assert "Rp 1.234.567" in card  # rupiah, not sen (123.456.700)
    assert "123.456.700" not in card and "123456700" not in card
    assert account.number in card and kasir.full_name in card
    assert not UUID.search(page.locator("main").inner_text())
    check_page(page, viewport, screenshot, f"journey-pengawas-deposits-{size}", amounts=2)
    cards.first.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/audit/[0-9a-f-]{36}/$"))
    assert page.inner_text("h1") == "Setoran dicatat"
    shown = page.locator("[data-testid=audit-event]").inner_text()
    assert "Rp 1.234.567" in shown and "123.456.700" not in shown
    assert not UUID.search(shown)  # the stored record stays folded away for auditors
    check_page(page, viewport, screenshot, f"journey-pengawas-event-{size}", amounts=2)


# --- anggota -------------------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_anggota_reads_her_passbook_and_her_loan_schedule(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    from kopdes.domain.money import format_rupiah
    from kopdes.loans import services as loans
    from kopdes.loans.models import Installment
    from kopdes.loans.testing import active_loan
    from kopdes.members import services as members
    from kopdes.savings import services as savings
    from kopdes.savings.models import SavingsAccount

    today = timezone.localdate()
    kasir = testing.make_user("kasir", sukamaju)
    member, account = member_with_savings(sukamaju, kasir)
    for n in range(3):
        savings.deposit(
            account,
            actor=kasir,
            amount=2_483_609_00 + n * 1_000_00,
            date=today,
            idempotency_key=f"journey-portal-{n}",
        )
    loan = active_loan(sukamaju, member=member, principal=12_000_000_00, term=12, date=today)
    first = Installment.objects.get(loan=loan, period=1)
    loans.repay_loan(
        loan,
        actor=kasir,
        amount=first.principal + first.interest,
        date=today,
        idempotency_key="journey-portal-pay-1",
    )
    code = members.issue_portal_code(member, actor=None, at=timezone.now())
    user = members.activate_portal(
        sukamaju, number=member.number, code=code, password="Rahasia-Anggota-77", at=timezone.now()
    )
    page = new_page(viewport)
    enter_as(page, live_server.url, user)
    page.goto(url(live_server, "portal:home"))
    assert "Euis Maryani" in page.inner_text("h1")
    check_page(page, viewport, screenshot, f"journey-anggota-home-{size}", amounts=6)
    page.click("[data-testid=portal-passbook-link]")
    page.wait_for_url(url(live_server, "portal:passbook"))
    # The total of every account: simpanan pokok and the three deposits.
    total = sum(SavingsAccount.objects.filter(member=member).values_list("balance", flat=True))
    assert total == sukamaju.adart.simpanan_pokok_amount + 2_483_609_00 * 3 + 3_000_00
    total_text = page.locator("[data-testid=passbook-total-amount]").inner_text()
    assert total_text == format_rupiah(total)
    assert page.locator("[data-testid=portal-passbook] tbody tr").count() == 4
    check_page(page, viewport, screenshot, f"journey-anggota-passbook-{size}", amounts=10)
    page.goto(url(live_server, "portal:home"))
    page.click("[data-testid=portal-loans] a")
    page.wait_for_url(url(live_server, "loans_portal:home"))
    page.locator("[data-testid=portal-loan]").get_by_role(
        "link", name=loan.number, exact=True
    ).click()
    page.wait_for_url(url(live_server, "loans_portal:loan", loan_id=loan.pk))
    rows = page.locator("[data-testid=schedule] tbody tr")
    assert rows.count() == 12
    assert rows.first.get_attribute("data-state") == "paid"
    assert rows.nth(1).get_attribute("data-state") == "open"
    assert page.locator("[data-testid=repayment-installments]").inner_text() == "1"
    check_page(page, viewport, screenshot, f"journey-anggota-loan-{size}", amounts=44)


# --- dinas ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_dinas_picks_a_koperasi_of_its_region_and_reads_its_neraca(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    from kopdes.ledger.testing import post_simple, with_books

    mekarsari = testing.make_koperasi(
        "mekarsari", region_code="32.01.26.2002", name="Koperasi Desa Merah Putih Mekarsari"
    )
    post_simple(with_books(mekarsari), 48_750_000_00, date=timezone.localdate())
    testing.make_koperasi("cirahab", region_code="33.02.01.2001", name="Koperasi Cirahab")
    dinas = testing.make_user("dinas", region_prefix="32.01", username="dinas.bogor")
    page = new_page(viewport)
    enter_as(page, live_server.url, dinas)
    page.goto(f"{live_server.url}/")
    assert page.locator("[data-testid=region-title]").inner_text() == "Koperasi di wilayah saya"
    text = page.locator("[data-testid=region-list]").inner_text()
    assert "Sukamaju" in text and "Mekarsari" in text and "Cirahab" not in text
    check_page(page, viewport, screenshot, f"journey-dinas-region-{size}")
    page.click("[data-testid=pick-mekarsari]")
    page.wait_for_url(f"{live_server.url}/k/mekarsari/")
    assert "Mekarsari" in page.locator("[data-testid=brand]").inner_text()
    ledger_home = reverse("ledger:home", kwargs={"slug": "mekarsari"})
    open_menu_link(page, viewport, ledger_home)
    neraca = reverse("ledger:statement-position", kwargs={"slug": "mekarsari"})
    page.click(f'main a[href="{neraca}"]')
    page.wait_for_url(f"{live_server.url}{neraca}")
    assert page.locator("[data-testid=report-table]").inner_text().count("48.750.000") >= 2
    # An oversight role reads; it is not offered a new entry.
    page.goto(f"{live_server.url}{ledger_home}")
    assert page.locator("[data-testid=new-entry]").count() == 0
    page.goto(f"{live_server.url}{neraca}")
    check_page(page, viewport, screenshot, f"journey-dinas-neraca-{size}", amounts=10)

"""What a first-time officer or member met, in a real browser at 360 px and 1280 px: the
menu shows every destination, no amount breaks across lines, form fields are 48 px touch
targets, the print button prints, an oversight role chooses from its region's koperasi and
the demo member sees her own membership."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from kopdes.platform.core import testing
from kopdes.platform.identity.selectors import roles_for
from kopdes.platform.web.navigation import navigation_for

from .conftest import DESKTOP, PHONE
from .helpers import SIZES, assert_amounts_whole, enter_as, fits
from .test_shell import current_code, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Counts the calls of window.print() instead of opening the print dialog.
PRINT_STUB = "window.__printed = 0; window.print = function () { window.__printed += 1; };"


@pytest.fixture
def sukamaju(transactional_db):
    from kopdes.ledger.testing import with_books

    koperasi = testing.make_koperasi(
        "sukamaju", region_code="32.01.26.2001", name="Koperasi Desa Merah Putih Sukamaju"
    )
    with_books(koperasi)
    return koperasi


def link_is_usable(page, href: str, width: int) -> bool:
    """The menu link is shown, inside the screen, and a tap on it lands on it."""
    link = page.locator(f'.mainnav a[href="{href}"]')
    if not link.is_visible():
        return False
    link.scroll_into_view_if_needed()
    box = link.bounding_box()
    if box is None or box["x"] < 0 or box["x"] + box["width"] > width or box["height"] < 44:
        return False
    return page.evaluate(
        """([href, x, y]) => {
            const hit = document.elementFromPoint(x, y);
            return !!hit && !!hit.closest(`.mainnav a[href="${href}"]`);
        }""",
        [href, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_the_menu_shows_every_destination(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    ketua = testing.make_user("ketua", sukamaju)
    expected = [item["url"] for item in navigation_for(sukamaju, roles_for(ketua, sukamaju))]
    assert len(expected) >= 8
    page = new_page(viewport)
    enter_as(page, live_server.url, ketua)
    page.goto(f"{live_server.url}/k/sukamaju/")
    toggle = page.locator("[data-testid=nav-toggle]")
    if viewport is PHONE:
        # One "Menu" button; the list opens whole, every entry a full-size target.
        assert toggle.is_visible()
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
    else:
        assert not toggle.is_visible()  # a laptop sees the whole menu at once
    unusable = [href for href in expected if not link_is_usable(page, href, viewport["width"])]
    assert unusable == []
    assert fits(page, viewport["width"])
    if viewport is DESKTOP:
        # Nothing hidden behind a sideways scroll: the menu is as wide as it looks.
        nav = page.locator(".mainnav ul")
        assert nav.evaluate("e => e.scrollWidth <= e.clientWidth")
    screenshot(page, f"menu-{size}")
    # The last entry works as a link.
    page.locator(f'.mainnav a[href="{expected[-1]}"]').click()
    page.wait_for_url(f"{live_server.url}{expected[-1]}")


def _member_with_savings(koperasi, *, deposits: int = 3):
    from kopdes.savings import services as savings
    from kopdes.savings.testing import active_member

    today = timezone.localdate()
    kasir = testing.make_user("kasir", koperasi)
    member = active_member(koperasi, actor=kasir, date=today, full_name="Euis Maryani")
    account = savings.open_account(member, actor=kasir, kind="sukarela", date=today)
    txn = None
    for n in range(deposits):
        txn = savings.deposit(
            account,
            actor=kasir,
            amount=9_483_609_00 + n * 1_000_00,
            date=today,
            idempotency_key=f"browser-dep-{n}",
            memo="Setoran hasil panen",
        )
    account.refresh_from_db()
    return member, account, txn, kasir


def _portal_user(koperasi, member):
    from kopdes.members import services

    code = services.issue_portal_code(member, actor=None, at=timezone.now())
    return services.activate_portal(
        koperasi, number=member.number, code=code, password="Rahasia-Anggota-77", at=timezone.now()
    )


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_no_amount_wraps_in_the_portal_passbook_and_a_schedule(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    from kopdes.loans.testing import active_loan

    member, _account, _txn, _kasir = _member_with_savings(sukamaju, deposits=30)
    loan = active_loan(
        sukamaju, member=member, principal=23_483_609_00, term=24, date=timezone.localdate()
    )
    page = new_page(viewport)
    enter_as(page, live_server.url, _portal_user(sukamaju, member))
    checked = 0
    for url, name in [
        (reverse("portal:home", kwargs={"slug": "sukamaju"}), "portal"),
        (reverse("portal:passbook", kwargs={"slug": "sukamaju"}), "portal-passbook"),
        (
            reverse("loans_portal:loan", kwargs={"slug": "sukamaju", "loan_id": loan.pk}),
            "portal-schedule",
        ),
    ]:
        page.goto(f"{live_server.url}{url}")
        checked += assert_amounts_whole(page)
        assert fits(page, viewport["width"]), name
        if viewport is PHONE:
            # Tables are stacked rows: the header row is not shown, each cell says its column.
            assert page.locator("main table.stack").count() >= 1
            head = page.locator("main table.stack thead").first.bounding_box()
            assert head is None or head["width"] <= 1
        screenshot(page, f"{name}-{size}")
    assert checked >= 40
    # The passbook shows every movement, a page at a time, and the total.
    page.goto(f"{live_server.url}{reverse('portal:passbook', kwargs={'slug': 'sukamaju'})}")
    assert page.locator("[data-testid=portal-passbook] tbody tr").count() == 25
    assert "Rp" in page.locator("[data-testid=passbook-total-amount]").inner_text()
    page.click("[data-testid=passbook-older]")
    assert page.locator("[data-testid=portal-passbook] tbody tr").count() == 6


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_officer_pages_keep_amounts_whole(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    _member, account, _txn, kasir = _member_with_savings(sukamaju, deposits=4)
    page = new_page(viewport)
    enter_as(page, live_server.url, kasir)
    ids = {"slug": "sukamaju", "savings_account_id": account.pk}
    for url, name in [
        (reverse("savings:passbook", kwargs=ids), "officer-passbook"),
        (reverse("savings:account", kwargs=ids), "officer-account"),
    ]:
        page.goto(f"{live_server.url}{url}")
        assert assert_amounts_whole(page) >= 4, name
        assert fits(page, viewport["width"]), name
        screenshot(page, f"{name}-{size}")


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_loan_application_form_has_48px_fields_and_takes_dd_mm_yyyy(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    from kopdes.loans.testing import product
    from kopdes.savings.testing import active_member

    petugas = testing.make_user("petugas_pinjaman", sukamaju)
    product(sukamaju, rate_percent="1.5")
    member = active_member(sukamaju, date=timezone.localdate())
    page = new_page(viewport, locale="en-US")  # a laptop set to English: still dd-mm-yyyy
    enter_as(page, live_server.url, petugas)
    page.goto(f"{live_server.url}{reverse('loans:loan-apply', kwargs={'slug': 'sukamaju'})}")
    fields = "[data-testid=apply-form] input:not([type=hidden]), [data-testid=apply-form] select"
    heights = page.eval_on_selector_all(
        f"{fields}, [data-testid=apply-form] button",
        "els => els.map(e => [e.name || e.id, e.getBoundingClientRect().height])",
    )
    assert len(heights) >= 10
    small = [(name, h) for name, h in heights if h < 48]
    assert small == []
    date_field = page.locator("#applied_on")
    assert date_field.get_attribute("type") == "text"
    assert date_field.get_attribute("placeholder") == "hh-bb-tttt"
    today = timezone.localdate()
    page.fill("#member", member.number)
    page.fill("#principal", "23.483.609")
    page.fill("#term", "24")
    page.fill("#applied_on", today.strftime("%d-%m-%Y"))
    page.click("[data-testid=simulate]")
    page.wait_for_selector("main table")
    assert page.locator("#applied_on").input_value() == today.strftime("%d-%m-%Y")
    assert assert_amounts_whole(page) >= 24
    assert fits(page, viewport["width"])
    screenshot(page, f"loan-apply-{size}")


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_print_button_on_a_receipt_calls_print(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    _member, _account, txn, kasir = _member_with_savings(sukamaju, deposits=1)
    page = new_page(viewport)
    page.add_init_script(PRINT_STUB)
    enter_as(page, live_server.url, kasir)
    page.goto(
        f"{live_server.url}"
        f"{reverse('savings:receipt', kwargs={'slug': 'sukamaju', 'transaction_id': txn.pk})}"
    )
    button = page.locator("[data-testid=print-button]")
    assert button.is_visible()
    assert button.bounding_box()["height"] >= 48
    assert "Ctrl+P" not in page.locator("main").inner_text()
    button.click()
    assert page.evaluate("window.__printed") == 1
    assert_amounts_whole(page)
    screenshot(page, f"receipt-{size}")


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_dinas_logs_in_to_the_list_of_its_region(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    mekarsari = testing.make_koperasi(
        "mekarsari", region_code="32.01.26.2002", name="Koperasi Desa Merah Putih Mekarsari"
    )
    testing.make_koperasi("cirahab", region_code="33.02.01.2001", name="Koperasi Cirahab")
    dinas = testing.make_user("dinas", region_prefix="32.01", username="dinas.bogor")
    page = new_page(viewport)
    log_in(page, live_server.url, "dinas.bogor")
    page.wait_for_url("**/akun/verifikasi/**")
    page.fill("#id_otp_token", current_code(dinas))
    page.click("[data-testid=totp-submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("[data-testid=region-title]").inner_text() == "Koperasi di wilayah saya"
    assert "Bogor" in page.locator("[data-testid=region-scopes]").inner_text()
    picks = page.locator("[data-testid=region-list] a")
    assert picks.count() == 2
    text = page.locator("[data-testid=region-list]").inner_text()
    assert "Sukamaju" in text and "Mekarsari" in text and "Cirahab" not in text
    assert mekarsari.region_code in text
    assert fits(page, viewport["width"])
    screenshot(page, f"region-list-{size}")
    page.click("[data-testid=pick-mekarsari]")
    page.wait_for_url(f"{live_server.url}/k/mekarsari/")
    if viewport is PHONE:
        page.click("[data-testid=nav-toggle]")
    page.click("[data-testid=switch-koperasi]")
    page.wait_for_url(f"{live_server.url}/")  # back to the list, not into a loop
    assert page.locator("[data-testid=region-list] a").count() == 2


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_demo_member_sees_her_membership(
    live_server, new_page, screenshot, sukamaju, viewport, size
):
    from kopdes.demo.build import DEMO_PASSWORD
    from kopdes.loans.demo import link_member_login
    from kopdes.loans.testing import active_loan
    from kopdes.platform.identity import services as identity

    # The demo's logins: a sekretaris and the member login "anggota.sukamaju"; the demo
    # links that login to a member with savings and a current loan.
    testing.make_user("sekretaris", sukamaju, username="sekretaris.sukamaju")
    identity.create_officer(
        sukamaju,
        actor=None,
        username="anggota.sukamaju",
        full_name="Anggota Demo",
        role="anggota",
        password=DEMO_PASSWORD,
    )
    member, _account, _txn, _kasir = _member_with_savings(sukamaju, deposits=2)
    active_loan(sukamaju, member=member, principal=5_000_000_00, date=timezone.localdate())
    link_member_login(sukamaju, random.Random(1))
    page = new_page(viewport)
    log_in(page, live_server.url, "anggota.sukamaju", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/k/sukamaju/")
    if viewport is PHONE:
        page.click("[data-testid=nav-toggle]")
    page.click(f'.mainnav a[href="{reverse("portal:home", kwargs={"slug": "sukamaju"})}"]')
    page.wait_for_url(f"{live_server.url}/portal/sukamaju/")
    main = page.locator("main").inner_text()
    assert "Euis Maryani" in main and member.number in main
    assert page.locator("[data-testid=portal-total]").is_visible()
    assert page.locator("[data-testid=portal-no-member]").count() == 0
    assert_amounts_whole(page)
    assert fits(page, viewport["width"])
    screenshot(page, f"demo-member-{size}")


def test_a_login_without_member_record_reads_an_explanation(live_server, new_page, sukamaju):
    user = testing.make_user("anggota", sukamaju, with_totp=False)
    page = new_page(PHONE)
    enter_as(page, live_server.url, user)
    response = page.goto(f"{live_server.url}/portal/sukamaju/")
    assert response.status == 200
    assert "belum terhubung" in page.locator("[data-testid=portal-no-member]").inner_text()
    assert fits(page, PHONE["width"])


def test_dates_typed_dd_mm_yyyy_in_an_english_browser(live_server, new_page, sukamaju):
    ketua = testing.make_user("ketua", sukamaju)
    page = new_page(DESKTOP, locale="en-US")
    enter_as(page, live_server.url, ketua)
    page.goto(f"{live_server.url}{reverse('audit:event-list', kwargs={'slug': 'sukamaju'})}")
    day = timezone.localdate() - dt.timedelta(days=1)
    field = page.locator("#id_date_from")
    assert field.get_attribute("type") == "text"
    field.fill(day.strftime("%d-%m-%Y"))
    field.press("Enter")
    page.wait_for_load_state()
    assert page.locator("#id_date_from").input_value() == day.strftime("%d-%m-%Y")
    assert page.locator(".errorlist").count() == 0

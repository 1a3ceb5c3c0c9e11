"""The approvals inbox in a real browser, at 360 px and 1280 px: a kasir makes a large
withdrawal at the counter; she cannot decide it (no inbox, no approve button); the ketua sees
it counted in the menu, finds it in the inbox with the amount, the AD/ART rule and its age,
approves it there, and the withdrawal is posted."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kopdes.platform.core import testing

from .conftest import PHONE
from .helpers import SIZES, assert_amounts_whole, enter_as, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "sukamaju"


def _url(live_server, name: str, **kwargs) -> str:
    return f"{live_server.url}{reverse(name, kwargs={'slug': SLUG, **kwargs})}"


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_kasir_asks_the_ketua_approves_from_the_inbox(
    live_server, new_page, screenshot, transactional_db, viewport, size
):
    from kopdes.ledger.testing import with_books
    from kopdes.platform.approvals.models import ProposalState
    from kopdes.savings import services as savings
    from kopdes.savings.choices import TxnKind
    from kopdes.savings.models import SavingsTransaction, WithdrawalRequest
    from kopdes.savings.testing import active_member

    koperasi = testing.make_koperasi(SLUG, region_code="32.01.26.2001")
    with_books(koperasi)
    kasir = testing.make_user("kasir", koperasi)
    ketua = testing.make_user("ketua", koperasi)
    today = timezone.localdate()
    member = active_member(koperasi, actor=kasir, date=today, full_name="Euis Maryani")
    account = savings.open_account(member, actor=kasir, kind="sukarela", date=today)
    savings.deposit(account, actor=kasir, amount=8_000_000_00, date=today, idempotency_key="d-1")
    inbox = _url(live_server, "approvals:inbox")

    # The kasir: a withdrawal above the AD/ART limit waits for a second officer.
    page = new_page(viewport)
    enter_as(page, live_server.url, kasir)
    page.goto(_url(live_server, "savings:withdraw", member_id=member.pk))
    page.select_option("#id_account", value=str(account.pk))
    page.fill("#id_amount", "6.000.000")
    page.click("button[name=step][value=review]")
    assert page.locator("[data-testid=needs-approval]").count() == 1
    page.click("[data-testid=post]")
    page.wait_for_url(_url(live_server, "savings:approval-list"))
    request = WithdrawalRequest.objects.get(koperasi=koperasi)
    assert request.state == ProposalState.PENDING and request.proposed_by_id == kasir.pk
    # Not hers to decide: no approve button, no inbox in her menu, the inbox refused.
    assert page.locator("[data-testid=request] form").count() == 0
    assert (
        page.locator(
            f'.mainnav a[href="{reverse("approvals:inbox", kwargs={"slug": SLUG})}"]'
        ).count()
        == 0
    )
    assert page.goto(inbox).status == 403

    # The ketua: the menu counts it, the inbox shows it, she approves it there.
    page = new_page(viewport)
    enter_as(page, live_server.url, ketua)
    page.goto(_url(live_server, "web:dashboard"))
    if viewport is PHONE:
        page.click("[data-testid=nav-toggle]")
    link = page.locator(f'.mainnav a[href="{reverse("approvals:inbox", kwargs={"slug": SLUG})}"]')
    assert link.locator("[data-testid=nav-badge]").inner_text() == "1"
    link.click()
    page.wait_for_url(inbox)
    card = page.locator("[data-testid=approval]")
    assert card.count() == 1
    assert card.get_attribute("data-kind") == "savings-withdrawal"
    assert card.locator("[data-testid=approval-amount]").inner_text() == "Rp 6.000.000"
    assert (
        card.locator("[data-testid=approval-rule]").inner_text()
        == "Penarikan di atas Rp 5.000.000 (AD/ART)"
    )
    assert card.locator("[data-testid=approval-age]").inner_text() == "baru saja"
    assert "Euis Maryani" in card.inner_text() and str(kasir) in card.inner_text()
    assert fits(page, viewport["width"]), "the inbox scrolls sideways"
    assert assert_amounts_whole(page) >= 1
    screenshot(page, f"approvals-inbox-ketua-{size}")
    card.locator("[data-testid=approve]").click()
    page.wait_for_url(inbox)
    assert "Disetujui: Penarikan besar." in page.locator("[data-testid=messages]").inner_text()
    assert page.locator("[data-testid=approval]").count() == 0
    assert page.locator("[data-testid=approvals-empty]").count() == 1
    assert page.locator("[data-testid=nav-badge]").count() == 0
    screenshot(page, f"approvals-inbox-done-{size}")

    # The withdrawal is posted, decided by the ketua.
    request.refresh_from_db()
    assert request.state == ProposalState.APPROVED and request.decided_by_id == ketua.pk
    posted = SavingsTransaction.objects.get(account=account, kind=TxnKind.WITHDRAWAL)
    assert posted.amount == -6_000_000_00
    account.refresh_from_db()
    assert account.balance == 2_000_000_00


@pytest.mark.parametrize(("viewport", "size"), SIZES)
def test_the_ketua_approves_one_and_rejects_one_in_the_inbox(
    live_server, new_page, screenshot, transactional_db, viewport, size
):
    """Two items of two modules wait for the ketua: a large withdrawal (made by the kasir)
    and a member's exit (proposed by the sekretaris). In the inbox she rejects the exit with
    her reason and approves the withdrawal; each leaves the inbox and the menu's count, the
    exit keeps her reason, the member stays, the withdrawal is posted."""
    from kopdes.ledger.testing import with_books
    from kopdes.members import services as members
    from kopdes.members.models import ExitProposal
    from kopdes.platform.approvals.models import ProposalState
    from kopdes.savings import services as savings
    from kopdes.savings.choices import TxnKind
    from kopdes.savings.models import SavingsTransaction, WithdrawalRequest
    from kopdes.savings.testing import active_member

    koperasi = testing.make_koperasi(SLUG, region_code="32.01.26.2001")
    with_books(koperasi)
    kasir = testing.make_user("kasir", koperasi)
    sekretaris = testing.make_user("sekretaris", koperasi)
    ketua = testing.make_user("ketua", koperasi)
    today = timezone.localdate()
    saver = active_member(koperasi, actor=kasir, date=today, full_name="Euis Maryani")
    account = savings.open_account(saver, actor=kasir, kind="sukarela", date=today)
    savings.deposit(account, actor=kasir, amount=8_000_000_00, date=today, idempotency_key="d-1")
    request = savings.withdraw(
        account, actor=kasir, amount=6_000_000_00, date=today, idempotency_key="w-1"
    )
    leaver = active_member(koperasi, actor=kasir, date=today, full_name="Ujang Suryana")
    exit_ = members.propose_exit(
        leaver, actor=sekretaris, to_status="berhenti", reason="Pindah ke Bandung",
        effective_on=today, at=timezone.now(),
    )  # fmt: skip
    inbox = _url(live_server, "approvals:inbox")

    page = new_page(viewport)
    enter_as(page, live_server.url, ketua)
    page.goto(_url(live_server, "web:dashboard"))
    if viewport is PHONE:
        page.click("[data-testid=nav-toggle]")
    link = page.locator(f'.mainnav a[href="{reverse("approvals:inbox", kwargs={"slug": SLUG})}"]')
    assert link.locator("[data-testid=nav-badge]").inner_text() == "2"
    link.click()
    page.wait_for_url(inbox)
    assert page.locator("[data-testid=approval]").count() == 2
    assert fits(page, viewport["width"]), "the inbox scrolls sideways"
    screenshot(page, f"approvals-inbox-two-{size}")

    # Reject the exit, with her reason.
    card = page.locator("[data-testid=approval][data-kind=members-exit]")
    assert "Ujang Suryana" in card.inner_text() and str(sekretaris) in card.inner_text()
    card.locator("input[name=reason]").fill("Masih ada pinjaman kelompok")
    card.locator("[data-testid=reject]").click()
    page.wait_for_url(inbox)
    assert (
        "Ditolak: Anggota keluar. Tidak ada yang berubah."
        in page.locator("[data-testid=messages]").inner_text()
    )
    assert page.locator("[data-testid=approval][data-kind=members-exit]").count() == 0
    assert page.locator("[data-testid=nav-badge]").first.text_content() == "1"

    # Approve the withdrawal.
    card = page.locator("[data-testid=approval][data-kind=savings-withdrawal]")
    assert card.locator("[data-testid=approval-amount]").inner_text() == "Rp 6.000.000"
    card.locator("[data-testid=approve]").click()
    page.wait_for_url(inbox)
    assert "Disetujui: Penarikan besar." in page.locator("[data-testid=messages]").inner_text()
    assert page.locator("[data-testid=approval]").count() == 0
    assert page.locator("[data-testid=nav-badge]").count() == 0
    assert fits(page, viewport["width"]), "the inbox scrolls sideways"
    screenshot(page, f"approvals-inbox-decided-{size}")

    exit_ = ExitProposal.objects.get(pk=exit_.pk)
    assert exit_.state == ProposalState.REJECTED and exit_.decided_by_id == ketua.pk
    assert exit_.decision_note == "Masih ada pinjaman kelompok"
    leaver.refresh_from_db()
    assert leaver.status == "aktif" and leaver.left_on is None
    request = WithdrawalRequest.objects.get(pk=request.pk)
    assert request.state == ProposalState.APPROVED and request.decided_by_id == ketua.pk
    posted = SavingsTransaction.objects.get(account=account, kind=TxnKind.WITHDRAWAL)
    assert posted.amount == -6_000_000_00

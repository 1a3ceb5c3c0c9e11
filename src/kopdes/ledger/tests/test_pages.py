"""Bookkeeping pages: manual journal (preview, confirmation, idempotency, bad input,
receipts), journal list and detail, reversal maker-checker, periods, chart of accounts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from PIL import Image

from kopdes.ledger import services
from kopdes.ledger.attachments import EntryAttachment
from kopdes.ledger.models import (
    Account,
    JournalEntry,
    JournalLine,
    PeriodProposal,
    ReversalProposal,
)
from kopdes.ledger.tests.report_data import books_for
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core import testing

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 1, 20)


def url(koperasi, name, **kwargs):
    return reverse(f"ledger:{name}", kwargs={"slug": koperasi.slug, **kwargs})


def decide_url(koperasi, kind, item, decision="approve"):
    """The one approve / reject view pair (the inbox's), which the ledger pages post to."""
    return reverse(
        f"approvals:{decision}",
        kwargs={"slug": koperasi.slug, "approval_kind": kind, "approval_item_id": item.pk},
    )


@pytest.fixture
def bendahara_client(client, koperasi):
    services.setup_koperasi_books(koperasi)
    user = testing.make_user("bendahara", koperasi)
    testing.login(client, user)
    client.user = user
    return client


def acc(koperasi, code):
    return Account.objects.get(koperasi=koperasi, code=code)


def entry_data(koperasi, *, lines, key="kunci-1", memo="Beli ATK", date=DAY, step="post"):
    data = {
        "date": date.isoformat(),
        "memo": memo,
        "business_unit": "",
        "idempotency_key": key,
        "step": step,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "40",
    }
    for i, (account, debit, credit) in enumerate(lines):
        data[f"lines-{i}-account"] = str(account) if account else ""
        data[f"lines-{i}-debit"] = debit
        data[f"lines-{i}-credit"] = credit
        data[f"lines-{i}-memo"] = ""
    return data


def simple_lines(koperasi, amount="150.000"):
    return [
        (acc(koperasi, "5-2100").pk, amount, ""),
        (acc(koperasi, "1-1100").pk, "", amount),
    ]


def test_new_entry_form_carries_an_idempotency_key(bendahara_client, koperasi):
    response = bendahara_client.get(url(koperasi, "entry-create"))
    assert response.status_code == 200
    assert b'name="idempotency_key"' in response.content
    key = response.context["form"].initial["idempotency_key"]
    assert len(key) == 32


def test_review_step_shows_total_in_words_and_posts_nothing(bendahara_client, koperasi):
    data = entry_data(koperasi, lines=simple_lines(koperasi), step="review")
    response = bendahara_client.post(url(koperasi, "entry-create"), data)
    assert response.status_code == 200
    assert "seratus lima puluh ribu rupiah" in response.content.decode()
    assert not JournalEntry.objects.filter(koperasi=koperasi).exists()


def test_posting_twice_with_the_same_key_records_one_entry(bendahara_client, koperasi):
    data = entry_data(koperasi, lines=simple_lines(koperasi))
    first = bendahara_client.post(url(koperasi, "entry-create"), data)
    second = bendahara_client.post(url(koperasi, "entry-create"), data)
    assert first.status_code == second.status_code == 302
    entries = JournalEntry.objects.filter(koperasi=koperasi)
    assert entries.count() == 1
    entry = entries.get()
    assert (
        first["Location"] == second["Location"] == url(koperasi, "entry-detail", entry_id=entry.pk)
    )
    assert entry.total_amount == 150_000_00
    assert entry.posted_by == bendahara_client.user
    assert AuditEvent.objects.filter(koperasi=koperasi, action="ledger.entry.posted").count() == 1


def test_balance_preview_partial_says_whether_it_balances(bendahara_client, koperasi):
    lines = [
        (acc(koperasi, "5-2100").pk, "150.000", ""),
        (acc(koperasi, "1-1100").pk, "", "100.000"),
    ]
    response = bendahara_client.post(
        url(koperasi, "balance-preview"), entry_data(koperasi, lines=lines)
    )
    assert response.status_code == 200
    assert b'data-testid="unbalanced"' in response.content
    response = bendahara_client.post(
        url(koperasi, "balance-preview"), entry_data(koperasi, lines=simple_lines(koperasi))
    )
    assert b'data-testid="balanced"' in response.content


def _refused(client, koperasi, data):
    response = client.post(url(koperasi, "entry-create"), data)
    assert response.status_code == 400, response.content[:500]
    assert not JournalEntry.objects.filter(koperasi=koperasi).exists()
    assert not JournalLine.objects.filter(koperasi=koperasi).exists()
    return response.content.decode()


def test_unbalanced_entry_is_refused(bendahara_client, koperasi):
    lines = [
        (acc(koperasi, "5-2100").pk, "150.000", ""),
        (acc(koperasi, "1-1100").pk, "", "140.000"),
    ]
    page = _refused(bendahara_client, koperasi, entry_data(koperasi, lines=lines))
    assert "tidak seimbang" in page


@pytest.mark.parametrize("amount", ["0", "-5.000", "1,5 juta", "abc", "1.000.000.000.000.001"])
def test_zero_negative_or_unreadable_amounts_are_refused(bendahara_client, koperasi, amount):
    lines = [
        (acc(koperasi, "5-2100").pk, amount, ""),
        (acc(koperasi, "1-1100").pk, "", amount),
    ]
    _refused(bendahara_client, koperasi, entry_data(koperasi, lines=lines))


def test_a_line_with_both_debit_and_credit_is_refused(bendahara_client, koperasi):
    lines = [
        (acc(koperasi, "5-2100").pk, "10.000", "10.000"),
        (acc(koperasi, "1-1100").pk, "", "10.000"),
    ]
    _refused(bendahara_client, koperasi, entry_data(koperasi, lines=lines))


def test_an_account_of_another_koperasi_is_refused(bendahara_client, koperasi, other_koperasi):
    services.setup_koperasi_books(other_koperasi)
    foreign = acc(other_koperasi, "1-1100")
    lines = [(acc(koperasi, "5-2100").pk, "10.000", ""), (foreign.pk, "", "10.000")]
    page = _refused(bendahara_client, koperasi, entry_data(koperasi, lines=lines))
    assert "Pilih akun" in page
    assert not JournalEntry.objects.filter(koperasi=other_koperasi).exists()


def test_control_and_closed_accounts_are_refused(bendahara_client, koperasi):
    control = acc(koperasi, "2-1100")  # member savings: posted by the savings module only
    lines = [(acc(koperasi, "1-1100").pk, "10.000", ""), (control.pk, "", "10.000")]
    _refused(bendahara_client, koperasi, entry_data(koperasi, lines=lines))
    Account.objects.filter(koperasi=koperasi, code="5-2600").update(is_active=False)
    lines = [(acc(koperasi, "5-2600").pk, "10.000", ""), (acc(koperasi, "1-1100").pk, "", "10.000")]
    _refused(bendahara_client, koperasi, entry_data(koperasi, lines=lines))


def test_a_closed_month_is_refused(bendahara_client, koperasi):
    ketua = testing.make_user("ketua", koperasi)
    proposal = services.propose_period_close(
        koperasi, actor=bendahara_client.user, year=2026, month=1
    )
    services.approve_period_change(proposal, actor=ketua)
    page = _refused(bendahara_client, koperasi, entry_data(koperasi, lines=simple_lines(koperasi)))
    assert "sudah ditutup" in page


def test_only_one_line_is_refused(bendahara_client, koperasi):
    lines = [(acc(koperasi, "5-2100").pk, "10.000", ""), (None, "", "")]
    _refused(bendahara_client, koperasi, entry_data(koperasi, lines=lines))


def test_kasir_may_not_post_manual_entries(client, koperasi):
    services.setup_koperasi_books(koperasi)
    testing.login(client, testing.make_user("kasir", koperasi))
    response = client.post(
        url(koperasi, "entry-create"), entry_data(koperasi, lines=simple_lines(koperasi))
    )
    assert response.status_code == 403
    assert not JournalEntry.objects.filter(koperasi=koperasi).exists()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _upload(name, content, content_type="application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def test_receipts_are_kept_with_the_entry_and_downloadable(
    bendahara_client, koperasi, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    data = entry_data(koperasi, lines=simple_lines(koperasi))
    data["files"] = [_upload("nota.png", _png()), _upload("faktur.pdf", b"%PDF-1.4 test")]
    response = bendahara_client.post(url(koperasi, "entry-create"), data)
    assert response.status_code == 302
    attachments = EntryAttachment.objects.filter(koperasi=koperasi)
    assert sorted(a.content_type for a in attachments) == ["application/pdf", "image/png"]
    pdf = attachments.get(content_type="application/pdf")
    assert str(koperasi.pk) in pdf.file.name
    download = bendahara_client.get(url(koperasi, "attachment-download", attachment_id=pdf.pk))
    assert download.status_code == 200
    assert download.content == b"%PDF-1.4 test"
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    "name,content",
    [
        ("nota.png", b"<script>alert(1)</script>"),  # an image by name only
        ("nota.pdf", b"MZ\x90\x00 not a pdf"),
        ("besar.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024)),
    ],
)
def test_wrong_or_too_big_receipts_post_nothing(
    bendahara_client, koperasi, settings, tmp_path, name, content
):
    settings.MEDIA_ROOT = tmp_path
    data = entry_data(koperasi, lines=simple_lines(koperasi))
    data["files"] = [_upload(name, content)]
    response = bendahara_client.post(url(koperasi, "entry-create"), data)
    assert response.status_code == 400
    assert not JournalEntry.objects.filter(koperasi=koperasi).exists()
    assert not EntryAttachment.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_journal_list_and_detail_show_the_entries(
    bendahara_client, koperasi, django_assert_max_num_queries
):
    books_for(koperasi, bendahara_client.user)
    with django_assert_max_num_queries(15):
        response = bendahara_client.get(url(koperasi, "entry-list"))
    assert response.status_code == 200
    assert "Pinjaman bank Himbara" in response.content.decode()
    entry = JournalEntry.objects.filter(koperasi=koperasi).order_by("number").first()
    with django_assert_max_num_queries(20):
        response = bendahara_client.get(url(koperasi, "entry-detail", entry_id=entry.pk))
    assert response.status_code == 200
    assert "enam puluh juta rupiah" in response.content.decode()


def test_reversal_needs_a_second_officer(bendahara_client, client, koperasi):
    from django.test import Client

    books_for(koperasi, bendahara_client.user)
    entry = JournalEntry.objects.filter(koperasi=koperasi).order_by("number").last()
    response = bendahara_client.post(
        url(koperasi, "reversal-propose", entry_id=entry.pk), {"reason": "salah akun"}
    )
    assert response.status_code == 302
    proposal = ReversalProposal.objects.get(koperasi=koperasi, entry=entry)
    detail = url(koperasi, "entry-detail", entry_id=entry.pk)
    approve = decide_url(koperasi, "ledger-reversal", proposal)
    # The proposer sees no buttons, and posting anyway is refused: nothing is posted.
    assert approve not in bendahara_client.get(detail).content.decode()
    response = bendahara_client.post(approve, {"next": detail}, follow=True)
    assert response.redirect_chain[-1][0] == detail
    assert [str(m) for m in response.context["messages"]] == [
        "Pengurus yang mengusulkan tidak boleh menyetujui atau menolaknya sendiri; "
        "harus pengurus lain."
    ]
    assert not JournalEntry.objects.filter(koperasi=koperasi, reverses=entry).exists()
    # The ketua approves on the entry's page (the approvals include) and comes back to it.
    ketua = testing.login(Client(), testing.make_user("ketua", koperasi))
    page = ketua.get(detail).content.decode()
    assert f'action="{approve}"' in page
    assert f'name="next" value="{detail}"' in page
    response = ketua.post(approve, {"next": detail}, follow=True)
    assert response.redirect_chain == [(detail, 302)]
    assert [str(m) for m in response.context["messages"]] == ["Disetujui: Pembatalan jurnal."]
    reversal = JournalEntry.objects.get(koperasi=koperasi, reverses=entry)
    assert reversal.total_amount == entry.total_amount
    page = response.content.decode()
    assert 'data-testid="reversed"' in page and approve not in page


def test_periods_are_proposed_by_bendahara_and_approved_by_ketua(bendahara_client, koperasi):
    from django.test import Client

    books_for(koperasi, bendahara_client.user)
    response = bendahara_client.post(
        url(koperasi, "period-list"), {"month": "2025-03", "action": "close"}
    )
    assert response.status_code == 302
    proposal = PeriodProposal.objects.get(koperasi=koperasi)
    ketua = testing.login(Client(), testing.make_user("ketua", koperasi))
    periods = url(koperasi, "period-list")
    assert f'action="{decide_url(koperasi, "ledger-period", proposal)}"' in (
        ketua.get(periods).content.decode()
    )
    response = ketua.post(decide_url(koperasi, "ledger-period", proposal), {"next": periods})
    assert response.status_code == 302 and response["Location"] == periods
    proposal.refresh_from_db()
    assert proposal.state == "approved" and proposal.decided_by_id is not None
    page = ketua.get(url(koperasi, "period-list")).content.decode()
    assert "2025" in page
    # Closing a later month while earlier ones with entries are open is refused.
    response = bendahara_client.post(
        url(koperasi, "period-list"), {"month": "2026-02", "action": "close"}
    )
    assert response.status_code == 400
    response = bendahara_client.post(
        url(koperasi, "period-list"), {"month": "bukan", "action": "close"}
    )
    assert response.status_code == 400


def test_chart_of_accounts_lists_and_adds_sub_accounts(
    bendahara_client, koperasi, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = bendahara_client.get(url(koperasi, "account-list"))
    assert response.status_code == 200
    assert "Simpanan sukarela" in response.content.decode()
    parent = acc(koperasi, "1-1200")
    response = bendahara_client.post(
        url(koperasi, "account-list"),
        {"parent": parent.pk, "code": "1-1200.01", "name": "Bank BRI", "business_unit": ""},
    )
    assert response.status_code == 302
    assert acc(koperasi, "1-1200.01").parent == parent
    # Duplicate code: refused with a message, nothing added.
    response = bendahara_client.post(
        url(koperasi, "account-list"),
        {"parent": parent.pk, "code": "1-1200.01", "name": "Bank lain", "business_unit": ""},
    )
    assert response.status_code == 400
    assert Account.objects.filter(koperasi=koperasi, code="1-1200.01").count() == 1


def test_chart_of_accounts_refuses_a_parent_of_another_koperasi(
    bendahara_client, koperasi, other_koperasi
):
    services.setup_koperasi_books(other_koperasi)
    foreign = acc(other_koperasi, "1-1200")
    response = bendahara_client.post(
        url(koperasi, "account-list"),
        {"parent": foreign.pk, "code": "1-1200.09", "name": "Bank X", "business_unit": ""},
    )
    assert response.status_code == 400
    assert not Account.objects.filter(code="1-1200.09").exists()


def test_ledger_home_lists_the_books(bendahara_client, koperasi):
    response = bendahara_client.get(url(koperasi, "home"))
    assert response.status_code == 200
    assert url(koperasi, "statement-position") in response.content.decode()


def test_dashboard_shows_cash_and_bank_and_the_menu_has_bookkeeping(bendahara_client, koperasi):
    books_for(koperasi, bendahara_client.user)
    page = bendahara_client.get(reverse("web:dashboard", kwargs={"slug": koperasi.slug}))
    assert page.status_code == 200
    text = page.content.decode()
    assert url(koperasi, "home") in text
    assert "Rp 75.999.999,50" in text  # kas 8.699.999,50 + 4 jt, bank 63,3 jt


def test_a_closed_month_is_reopened_with_a_reason(bendahara_client, koperasi):
    from django.test import Client

    books_for(koperasi, bendahara_client.user)
    ketua = testing.login(Client(), testing.make_user("ketua", koperasi))
    bendahara_client.post(url(koperasi, "period-list"), {"month": "2025-03", "action": "close"})
    ketua.post(decide_url(koperasi, "ledger-period", PeriodProposal.objects.get()))
    # Reopening needs a reason.
    response = bendahara_client.post(
        url(koperasi, "period-list"), {"month": "2025-03", "action": "reopen", "reason": ""}
    )
    assert response.status_code == 400
    response = bendahara_client.post(
        url(koperasi, "period-list"),
        {"month": "2025-03", "action": "reopen", "reason": "nota terlambat"},
    )
    assert response.status_code == 302
    pending = PeriodProposal.objects.get(state="pending")
    assert pending.action == "reopen"
    periods = url(koperasi, "period-list")
    response = ketua.post(
        decide_url(koperasi, "ledger-period", pending, "reject"),
        {"reason": "Nota sudah masuk Maret", "next": periods},
        follow=True,
    )
    assert response.redirect_chain == [(periods, 302)]
    pending.refresh_from_db()
    assert pending.state == "rejected" and pending.decision_note == "Nota sudah masuk Maret"
    assert "Nota sudah masuk Maret" in response.content.decode()  # the page shows her words


def test_a_kasir_cannot_propose_closing_a_month(client, koperasi):
    services.setup_koperasi_books(koperasi)
    testing.login(client, testing.make_user("kasir", koperasi))
    response = client.post(url(koperasi, "period-list"), {"month": "2025-03", "action": "close"})
    assert response.status_code == 403
    assert not PeriodProposal.objects.exists()


def test_receipts_can_be_added_on_the_entry_page(bendahara_client, koperasi, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    books_for(koperasi, bendahara_client.user)
    entry = JournalEntry.objects.filter(koperasi=koperasi).first()
    response = bendahara_client.post(
        url(koperasi, "attachment-add", entry_id=entry.pk), {"files": [_upload("n.png", _png())]}
    )
    assert response.status_code == 302
    assert EntryAttachment.objects.filter(entry=entry).count() == 1
    assert AuditEvent.objects.filter(koperasi=koperasi, action="ledger.attachment.added").exists()
    response = bendahara_client.post(
        url(koperasi, "attachment-add", entry_id=entry.pk), {"files": [_upload("x.png", b"GIF89a")]}
    )
    assert EntryAttachment.objects.filter(entry=entry).count() == 1


def test_balance_preview_refuses_a_form_without_its_management_data(bendahara_client, koperasi):
    response = bendahara_client.post(url(koperasi, "balance-preview"), {"lines-0-debit": "1"})
    assert response.status_code == 400


def test_opening_page_opens_for_the_bendahara(bendahara_client, koperasi):
    response = bendahara_client.get(url(koperasi, "opening-import"))
    assert response.status_code == 200
    assert url(koperasi, "opening-template") in response.content.decode()


def test_a_reused_key_with_other_content_posts_nothing_new(bendahara_client, koperasi):
    data = entry_data(koperasi, lines=simple_lines(koperasi))
    bendahara_client.post(url(koperasi, "entry-create"), data)
    other = entry_data(koperasi, lines=simple_lines(koperasi, amount="99.000"))
    response = bendahara_client.post(url(koperasi, "entry-create"), other, follow=True)
    assert response.status_code == 200
    assert JournalEntry.objects.filter(koperasi=koperasi).count() == 1
    assert JournalEntry.objects.get(koperasi=koperasi).total_amount == 150_000_00
    assert "error" in [m.level_tag for m in response.context["messages"]]

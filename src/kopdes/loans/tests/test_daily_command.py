"""``kopdes loans-daily``: classifies loans, posts PPAP at month end once, refuses bad dates."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kopdes.ledger.models import JournalEntry
from kopdes.loans import testing
from kopdes.loans.models import PpapRun

pytestmark = pytest.mark.django_db


def test_daily_command_classifies_and_posts_ppap_once(koperasi, officers):
    loan = testing.active_loan(koperasi, officers=officers)
    out = io.StringIO()
    call_command("loans_daily", "--date", "2026-06-30", "--koperasi", koperasi.slug, stdout=out)
    call_command("loans_daily", "--date", "2026-06-30", "--koperasi", koperasi.slug, stdout=out)
    loan.refresh_from_db()
    assert loan.dpd == 89 and loan.kolektibilitas == 2
    assert PpapRun.objects.filter(koperasi=koperasi).count() == 1
    assert JournalEntry.objects.filter(source="loans.ppap").count() == 1
    assert "1 pinjaman aktif" in out.getvalue()


def test_daily_command_refuses_a_bad_date(koperasi):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("loans_daily", "--date", "31-06-2026")

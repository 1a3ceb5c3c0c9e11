"""Memos are written in the koperasi's language whatever the officer's (core.booktext):
the helper itself, and the ledger services that write one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from kopdes.ledger import services
from kopdes.ledger.testing import post_simple, with_books
from kopdes.platform.core.booktext import book_text, books_language
from kopdes.platform.core.testing import make_user


def test_books_language_is_the_sites_language(settings):
    assert books_language() == settings.LANGUAGE_CODE == "id"
    settings.LANGUAGE_CODE = "en"
    assert books_language() == "en"


def test_book_text_translates_message_and_lazy_parameters_and_restores_the_language():
    with translation.override("en"):
        text = book_text(
            None, gettext_lazy("Reversal of %(entry)s: %(reason)s"),
            entry=gettext_lazy("Opening balances (saldo awal)"), reason="Salah akun",
        )  # fmt: skip
        assert translation.get_language() == "en"
    assert text == "Pembalikan Saldo awal: Salah akun"
    assert book_text(None, "plain %(n)d", n=3) == "plain 3"
    assert book_text(None, gettext_lazy("Opening balances (saldo awal)")) == "Saldo awal"


@pytest.mark.django_db
def test_a_reversal_approved_by_an_english_officer_has_an_indonesian_memo(koperasi):
    with_books(koperasi)
    entry = post_simple(koperasi, 75_000_00, debit="1-1200", credit="3-3000")
    proposal = services.propose_reversal(
        entry, actor=make_user("bendahara", koperasi), reason="Salah akun"
    )
    with translation.override("en"):
        reversal = services.approve_reversal(proposal, actor=make_user("ketua", koperasi))
    assert reversal.memo.startswith("Pembalikan ")
    assert reversal.memo.endswith(": Salah akun")
    assert entry.date <= reversal.date <= dt.date.today()

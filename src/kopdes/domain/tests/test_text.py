"""Which characters a text may hold (issue 13 part 2): the table of cases and properties."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kopdes.domain.text import (
    REPLACEMENT,
    TextError,
    check_text,
    codepoint,
    first_refused,
    printable,
)

CLEAN = [
    "",
    "Setoran simpanan wajib Maret",
    "Bu Siti Nurhaliza (RT 03/RW 05), Jl. Mawar No. 7",
    "Rp 1.500.000; 50% — ‘kutip’ «» €",
    "محمد عبد الله",  # Arabic name
    "عبد\u200fالله",  # with an RLM: a plain mark, allowed
    "👩\u200d👩\u200d👧 keluarga",  # ZWJ emoji sequence
    "ZWNJ\u200cok \ufeffBOM",
    "汉字 ภาษาไทย ꦗꦮ",  # CJK, Thai, Javanese script
    "\ufffd already replaced",
]

REFUSED_EVERYWHERE = [
    ("\x00", "U+0000"),
    ("\x01", "U+0001"),
    ("\x08", "U+0008"),
    ("\x0b", "U+000B"),
    ("\x0c", "U+000C"),
    ("\x1b[31m", "U+001B"),
    ("\x1f", "U+001F"),
    ("\x7f", "U+007F"),
    ("\x85", "U+0085"),
    ("\x9f", "U+009F"),
    ("\u202e", "U+202E"),
    ("\u202a", "U+202A"),
    ("\u2066", "U+2066"),
    ("\u2069", "U+2069"),
    ("\ud800", "U+D800"),
    ("\udfff", "U+DFFF"),
    ("\ufffe", "U+FFFE"),
    ("\uffff", "U+FFFF"),
]

LINE_BREAKS = ["\n", "\r", "\t", "\r\n", "\u2028", "\u2029"]


@pytest.mark.parametrize("text", CLEAN)
@pytest.mark.parametrize("multiline", [False, True])
def test_ordinary_text_in_any_script_is_accepted(text: str, multiline: bool) -> None:
    assert first_refused(text, multiline=multiline) is None
    assert check_text(text, multiline=multiline) == text
    assert printable(text) == text


@pytest.mark.parametrize(("bad", "name"), REFUSED_EVERYWHERE)
@pytest.mark.parametrize("multiline", [False, True])
def test_control_bidi_surrogate_and_noncharacters_are_refused_with_their_code(
    bad: str, name: str, multiline: bool
) -> None:
    text = f"Setoran {bad} Maret"
    with pytest.raises(TextError) as caught:
        check_text(text, multiline=multiline)
    assert caught.value.codepoint == name
    assert caught.value.message == (
        "Teks tidak boleh berisi karakter kontrol atau karakter tak terlihat "
        f"({name}); hapus karakter itu lalu coba lagi."
    )
    assert REPLACEMENT in printable(text)
    assert first_refused(printable(text), multiline=True) is None


@pytest.mark.parametrize("brk", LINE_BREAKS)
def test_line_breaks_and_tab_only_in_a_multiline_field(brk: str) -> None:
    text = f"baris satu{brk}baris dua"
    assert check_text(text, multiline=True) == text
    with pytest.raises(TextError):
        check_text(text, multiline=False)
    assert printable(text) == text  # an export keeps them (each format handles lines)


def test_the_first_refused_character_is_named() -> None:
    assert first_refused("a\tb\x00c") == "\t"
    assert first_refused("a\tb\x00c", multiline=True) == "\x00"
    assert codepoint("\x00") == "U+0000"
    assert codepoint("\U0001f600") == "U+1F600"


def _allowed(ch: str, multiline: bool) -> bool:
    if multiline and ch in "\t\n\r\u2028\u2029":
        return True
    if ch in "\u2028\u2029\ufffe\uffff" or "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069":
        return False
    return unicodedata.category(ch) not in ("Cc", "Cs")


@given(st.text(alphabet=st.characters(exclude_categories=())), st.booleans())
def test_refused_exactly_when_some_character_is_not_allowed(text: str, multiline: bool) -> None:
    expected = next((c for c in text if not _allowed(c, multiline)), None)
    assert first_refused(text, multiline=multiline) == expected


@given(st.text(alphabet=st.characters(exclude_categories=())))
def test_printable_output_is_always_accepted_in_a_multiline_field(text: str) -> None:
    shown = printable(text)
    assert first_refused(shown, multiline=True) is None
    assert len(shown) == len(text)  # one replacement per character: nothing hidden
    assert printable(shown) == shown
    assert all(a == b or b == REPLACEMENT for a, b in zip(text, shown, strict=True))

"""Which characters a stored text may hold, and how an export shows one it must not.

Rules (decided here; ``platform/core/README.md`` points to them):

* **Refused in every text** a person or a program sends us:
  - control characters (Unicode category ``Cc``: U+0000-U+001F, U+007F-U+009F), except the
    line breaks and the tab of a multi-line field (below). A NUL made the cash book's XLSX
    answer 500 and landed raw in the hledger export (issue 13);
  - the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069):
    they make a memo display in another order than it is stored ("Trojan Source"). The
    plain marks LRM, RLM and ALM (U+200E, U+200F, U+061C) and the zero-width joiners stay
    allowed: Arabic names and emoji need them;
  - lone surrogates (U+D800-U+DFFF; a JSON body can carry ``"\\ud800"``) and the
    noncharacters U+FFFE and U+FFFF, which XML (so XLSX) cannot hold.
* **Multi-line fields** (a textarea) may also hold ``\\n``, ``\\r`` and ``\\t``, and the
  Unicode line and paragraph separators U+2028 and U+2029. Single-line fields refuse them.
* **Exports** must survive anything already stored (rows older than this rule):
  ``printable(text)`` replaces every refused character by U+FFFD (the replacement
  character, shown as a visible box), keeping line breaks and tabs, so an auditor sees that
  something was there.

Messages are plain Bahasa Indonesia (``docs/decisions/0001``: ``domain`` has no gettext).
"""

from __future__ import annotations

import re
import unicodedata

REPLACEMENT = "\ufffd"
MULTILINE_ALLOWED = frozenset("\t\n\r\u2028\u2029")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
NONCHARACTERS = frozenset("\ufffe\uffff")

# Everything that may be refused, as one character class: a fast ``search`` finds the
# first candidate (almost every text has none), and ``_refused`` decides per field kind.
_CANDIDATES = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


class TextError(ValueError):
    """A text holds a character it may not; ``character`` is the first one found."""

    def __init__(self, character: str) -> None:
        self.character = character
        self.codepoint = codepoint(character)
        self.message = (
            f"Teks tidak boleh berisi karakter kontrol atau karakter tak terlihat "
            f"({self.codepoint}); hapus karakter itu lalu coba lagi."
        )
        super().__init__(self.message)


def codepoint(character: str) -> str:
    """``U+0000``: how a message names a character nobody can see."""
    return f"U+{ord(character):04X}"


def _refused(character: str, *, multiline: bool) -> bool:
    if multiline and character in MULTILINE_ALLOWED:
        return False
    if character in BIDI_CONTROLS or character in NONCHARACTERS:
        return True
    if character in "\u2028\u2029":
        return True  # a line break in a single-line field
    return unicodedata.category(character) in ("Cc", "Cs")


def first_refused(text: str, *, multiline: bool = False) -> str | None:
    """The first character ``text`` may not hold, or None when it is clean."""
    for match in _CANDIDATES.finditer(text):
        if _refused(match.group(), multiline=multiline):
            return match.group()
    return None


def check_text(text: str, *, multiline: bool = False) -> str:
    """``text`` itself, or ``TextError`` naming the first refused character."""
    found = first_refused(text, multiline=multiline)
    if found is not None:
        raise TextError(found)
    return text


def printable(text: str) -> str:
    """``text`` with every refused character (line breaks and tabs kept) shown as U+FFFD.

    For exports only: what was stored is shown, never refused, so an old row written before
    the input rule cannot break a file (XLSX, PDF, hledger, beancount)."""
    if not _CANDIDATES.search(text):
        return text
    return _CANDIDATES.sub(
        lambda m: REPLACEMENT if _refused(m.group(), multiline=True) else m.group(), text
    )

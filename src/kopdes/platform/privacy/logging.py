"""Log hygiene (reliability T15): no NIK or phone number reaches a log line in clear.

``RedactPersonalData`` is a ``logging.Filter`` installed on the console handler in
``config/settings.py``. It formats the record once, masks what looks like personal data,
and replaces ``msg``/``args`` with the masked text (also the traceback text), so every
later formatter and handler sees only masked values:

* 16 consecutive ASCII digits, or four groups of four separated by a space, dot or dash
  (NIK, KK number; a card number is masked too, which is fine) -> ``3201********0001``
* Indonesian mobile numbers in any usual writing (``0812-3456-7890``, ``+62 812...``,
  ``62812...``) and ``+62`` landlines -> ``+62812*****890``

It never drops a record; when in doubt it masks more.
"""

from __future__ import annotations

import logging
import re

from kopdes.domain.masking import mask_nik, mask_phone
from kopdes.domain.phone import PhoneError, normalize_phone

_NIK = re.compile(
    r"(?<![0-9])(?:[0-9]{16}|[0-9]{4}([ .\-])[0-9]{4}\1[0-9]{4}\1[0-9]{4})(?![0-9])", re.ASCII
)
_PHONE = re.compile(
    # +62 then any area/mobile start, or 62 / 0 then a mobile 8; then digits and separators.
    r"(?<![0-9+])(?:\+62[ .\-]?\(?0?\)?[ .\-]?[2-9]|62[ .\-]?8|\(?08)"
    r"[0-9 .\-()]{6,18}[0-9](?![0-9])",
    re.ASCII,
)


def _mask_nik(match: re.Match[str]) -> str:
    digits = re.sub(r"[^0-9]", "", match.group(0), flags=re.ASCII)
    return mask_nik(digits)


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    try:
        return mask_phone(normalize_phone(text))
    except PhoneError:
        # Looks like a phone number but is not a valid one: mask all but the last 3 digits.
        return re.sub(r"[0-9]", "*", text[:-3], flags=re.ASCII) + text[-3:]


def redact(text: str) -> str:
    """Mask NIK-like numbers and Indonesian phone numbers in ``text``."""
    return _PHONE.sub(_mask_phone, _NIK.sub(_mask_nik, text))


class RedactPersonalData(logging.Filter):
    """Mask NIK and phone numbers in every record that passes (message and traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True

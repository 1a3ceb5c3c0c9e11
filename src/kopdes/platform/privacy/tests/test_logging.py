"""Log hygiene: NIK and phone numbers never reach a log line in clear (T15)."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kopdes.platform.privacy.logging import RedactPersonalData, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NIK 3201231205850001 ditolak", "NIK 3201********0001 ditolak"),
        ("nik=3201 2312 0585 0001;", "nik=3201********0001;"),
        ("nik=3201-2312-0585-0001", "nik=3201********0001"),
        ("hp 081234567890 ok", "hp +62812*****890 ok"),
        ("hp 0812-3456-7890.", "hp +62812*****890."),
        ("hp +62 812 3456 7890", "hp +62812*****890"),
        ("wa 6281234567890", "wa +62812*****890"),
        ("kantor +62215551234", "kantor +62215***234"),
        ("amount 150000000 sen", "amount 150000000 sen"),
        ("entry 12345 posted", "entry 12345 posted"),
        ("id 0190a3b2-7c4d-7e1f-8a2b-1234567890ab", "id 0190a3b2-7c4d-7e1f-8a2b-1234567890ab"),
        ("2026-11-28 23:15:00", "2026-11-28 23:15:00"),
    ],
)
def test_redact_masks_nik_and_phone_but_leaves_other_numbers(text, expected):
    assert redact(text) == expected


def _logger_with_filter() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalData())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("kopdes.test.redact")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_filter_masks_arguments_and_tracebacks():
    logger, stream = _logger_with_filter()
    logger.warning("member %s phone %s", "3201231205850001", "0812-3456-7890")
    try:
        raise ValueError("NIK 3201231205850001 sudah terdaftar, hp 081234567890")
    except ValueError:
        logger.exception("failed for %s", "3201231205850001")
    output = stream.getvalue()
    assert "3201********0001" in output and "+62812*****890" in output
    assert not re.search(r"(?<![0-9])[0-9]{16}(?![0-9])", output)
    assert "081234567890" not in output and "3456-7890" not in output
    assert "ValueError" in output  # the traceback is still there, masked


def test_a_broken_format_string_is_still_logged_masked():
    logger, stream = _logger_with_filter()
    logger.warning("bad %d format", "3201231205850001")
    assert "3201********0001" in stream.getvalue()


def test_the_console_handler_in_settings_uses_the_filter():
    handler = settings.LOGGING["handlers"]["console"]
    assert "redact_personal_data" in handler["filters"]
    factory = settings.LOGGING["filters"]["redact_personal_data"]["()"]
    assert factory == "kopdes.platform.privacy.logging.RedactPersonalData"
    root_handlers = logging.getLogger().handlers
    assert any(any(isinstance(f, RedactPersonalData) for f in h.filters) for h in root_handlers), (
        "settings.LOGGING was not applied with the redacting filter"
    )


def test_every_stream_handler_configured_by_settings_redacts():
    # Django adds its own console handlers (logger "django", "django.server"); settings
    # route those loggers through the redacting console handler instead.
    names = ["", "django", "django.request", "django.server", "django.security", "axes"]
    for name in names:
        logger = logging.getLogger(name)
        while logger is not None:
            for handler in logger.handlers:
                if type(handler).__module__.startswith("_pytest"):
                    continue  # pytest's own capture handlers
                if isinstance(handler, logging.StreamHandler):
                    assert any(isinstance(f, RedactPersonalData) for f in handler.filters), (
                        f"logger {name!r}: handler {handler!r} does not redact"
                    )
            logger = logger.parent if logger.propagate else None


_nik = st.builds(
    lambda p, rest: p + rest,
    st.sampled_from(["11", "32", "33", "35", "73", "96"]),
    st.text(alphabet="0123456789", min_size=14, max_size=14),
)
_mobile = st.builds(
    lambda prefix, block, rest, sep: prefix + "8" + block + sep + rest,
    st.sampled_from(["0", "62", "+62", "+62 "]),
    st.sampled_from("1235789"),
    st.text(alphabet="0123456789", min_size=8, max_size=10),
    st.sampled_from(["", " ", "-"]),
)
_filler = st.text(alphabet="abc xyz:=,;()/", max_size=12)


@hsettings(max_examples=300, derandomize=True)
@given(_filler, _nik, _filler, _mobile, _filler)
def test_no_nik_or_phone_survives_redaction(a, nik, b, phone, c):
    out = redact(f"{a} {nik} {b} {phone} {c}")
    assert nik not in out
    digits = re.sub(r"[^0-9]", "", phone)
    assert digits not in re.sub(r"[^0-9]", "", out)
    assert not re.search(r"(?<![0-9])[0-9]{16}(?![0-9])", out)

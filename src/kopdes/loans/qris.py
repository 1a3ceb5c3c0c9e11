"""The QR code a member scans to pay a loan installment (QRIS-like payload).

What this is, honestly: a payload laid out like a *static* QRIS / EMVCo merchant-presented
code (tag-length-value fields, amount in tag 54, CRC-16/CCITT-FALSE in tag 63), carrying
the koperasi's name, city, the amount and a reference (the loan number). It is NOT a
registered QRIS merchant code: the koperasi has no National Merchant ID (NMID) from an
acquirer in kopdes yet, so the merchant account field (tag 26) names kopdes and the
koperasi's NIK instead, and a bank app may refuse it. Settlement with a real acquirer
(a callback or statement that proves the money arrived) is NOT wired: the kasir checks
the money arrived (the koperasi's QRIS/bank statement, the member's phone) and confirms
"payment received" on the page, which posts the repayment to the QRIS clearing account
(1-1600) through ``services.repay_loan(source="qris")``. When the payments issue brings
a real acquirer, its callback calls the same service with the same idempotency key.

Pure functions, no Django: the views render the QR with segno.
"""

from __future__ import annotations

import unicodedata

GUI = "ID.KOPDES.LOANS"  # not an acquirer's GUI: see the module docstring
MCC = "6012"  # financial institutions (a savings-and-loan cooperative)
CURRENCY_IDR = "360"
COUNTRY = "ID"


def _ascii(text: str, limit: int) -> str:
    """Plain upper-case ASCII (bank apps show only that), cut to ``limit`` characters."""
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(flat.upper().split())[:limit] or "-"


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError("QR field too long")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) as four upper-case hex digits."""
    crc = 0xFFFF
    for byte in data.encode("ascii"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return f"{crc:04X}"


def format_amount(sen: int) -> str:
    """Tag 54's amount: rupiah, with two decimals only when there are sen ("118000")."""
    if not isinstance(sen, int) or isinstance(sen, bool) or sen <= 0:
        raise ValueError("amount must be a positive number of sen")
    rupiah, rest = divmod(sen, 100)
    return f"{rupiah}.{rest:02d}" if rest else str(rupiah)


def payment_payload(
    *, merchant_name: str, merchant_id: str, city: str, amount: int, reference: str
) -> str:
    """The QR text for paying ``amount`` sen to the koperasi, with ``reference`` (the loan
    number) in the bill-number field so the statement line can be matched."""
    account = _tlv("00", GUI) + _tlv("01", _ascii(merchant_id, 30))
    body = (
        _tlv("00", "01")  # payload format
        + _tlv("01", "12")  # dynamic: this code carries an amount
        + _tlv("26", account)
        + _tlv("52", MCC)
        + _tlv("53", CURRENCY_IDR)
        + _tlv("54", format_amount(amount))
        + _tlv("58", COUNTRY)
        + _tlv("59", _ascii(merchant_name, 25))
        + _tlv("60", _ascii(city, 15))
        + _tlv("62", _tlv("01", _ascii(reference, 25)))
        + "6304"
    )
    return body + crc16_ccitt(body)


def parse_payload(text: str) -> dict[str, str]:
    """Top-level tag -> value of a payload, after checking its CRC (used by tests and by
    anyone checking a printed code)."""
    if len(text) < 8 or text[-8:-4] != "6304" or crc16_ccitt(text[:-4]) != text[-4:]:
        raise ValueError("QR payload checksum does not match")
    fields: dict[str, str] = {}
    i = 0
    while i < len(text):
        tag, size = text[i : i + 2], int(text[i + 2 : i + 4])
        fields[tag] = text[i + 4 : i + 4 + size]
        i += 4 + size
    return fields

"""The member card: a signed payload and reading it back."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings
from django.utils.translation import gettext as _

from kopdes.members.errors import MemberError
from kopdes.members.models import Member
from kopdes.members.services._common import CARD_PREFIX

# --- member card ---------------------------------------------------------------------------


def _card_key() -> bytes:
    return hmac.new(settings.DATA_KEY.encode(), b"kopdes member card v1", hashlib.sha256).digest()


def _card_signature(koperasi_id: str, number: str) -> str:
    mac = hmac.new(_card_key(), f"{koperasi_id}|{number}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:15]).decode("ascii")


def member_card_payload(member: Member) -> str:
    """The text in the card's QR code: prefix, koperasi id, member number, signature."""
    kid = str(member.koperasi_id)
    return f"{CARD_PREFIX}|{kid}|{member.number}|{_card_signature(kid, member.number)}"


def read_member_card(payload: str, *, koperasi) -> Member:
    """The member a scanned or typed card payload belongs to, or ``MemberError``.

    Refuses a payload whose signature does not match (tampered or made up) and one of
    another koperasi, with a clear message. Reads only.
    """
    text = str(payload or "").strip()
    parts = text.split("|")
    if len(parts) != 4 or parts[0] != CARD_PREFIX:
        raise MemberError(_("This is not a kopdes member card."), field="payload")
    _prefix, kid, number, signature = parts
    expected = _card_signature(kid, number)
    if not hmac.compare_digest(expected.encode(), signature.upper().encode()):
        raise MemberError(
            _("The card's signature is not valid: the card was changed or is fake."),
            field="payload",
        )
    if kid != str(koperasi.pk):
        raise MemberError(_("This card belongs to a member of another koperasi."), field="payload")
    member = Member.objects.filter(koperasi=koperasi, number=number).first()
    if member is None:
        raise MemberError(_("No member with this number."), field="payload")
    return member

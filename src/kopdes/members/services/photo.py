"""The KTP photo: checking, storing encrypted, reading it back."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kopdes.members.errors import MemberError, NotFoundError
from kopdes.members.models import Member
from kopdes.members.services._common import MAX_PHOTO_BYTES, PHOTO_FORMATS, _roles, _same_koperasi
from kopdes.platform.audit.services import record
from kopdes.platform.core.errors import PermissionDeniedError
from kopdes.platform.privacy import crypto

# --- KTP photo -----------------------------------------------------------------------------


def check_ktp_photo(content: bytes) -> str:
    """Return the image's MIME type, or refuse: too big, not an image, or not JPEG/PNG/WebP.

    Checked by content with Pillow, never by the file name or the browser's type.
    """
    from PIL import Image, UnidentifiedImageError

    if len(content) > MAX_PHOTO_BYTES:
        raise MemberError(
            _("The KTP photo is too large (at most 2 MB)."), field="ktp_photo", code="too_large"
        )
    if not content:
        raise MemberError(_("The KTP photo is empty."), field="ktp_photo")
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise MemberError(
            _("The KTP photo is not a readable picture (JPEG, PNG or WebP)."), field="ktp_photo"
        ) from None
    if kind not in PHOTO_FORMATS:
        raise MemberError(
            _("The KTP photo must be a JPEG, PNG or WebP picture."), field="ktp_photo"
        )
    return PHOTO_FORMATS[kind]


def _photo_context(member: Member) -> str:
    return f"members.member.ktp_photo:{member.koperasi_id}:{member.pk}"


def _photo_path(member: Member) -> Path:
    return Path(settings.MEDIA_ROOT) / "ktp" / str(member.koperasi_id) / f"{member.pk}.enc"


def _store_photo(member: Member, content: bytes, mime: str) -> None:
    """Encrypt the photo bytes (AES-GCM, bound to the member) and write them under MEDIA_ROOT."""
    token = crypto.encrypt(
        base64.b64encode(content).decode("ascii"), context=_photo_context(member)
    )
    path = _photo_path(member)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(token, encoding="ascii")
    tmp.replace(path)
    member.ktp_photo = str(path.relative_to(Path(settings.MEDIA_ROOT)))
    member.ktp_photo_type = mime


def replace_ktp_photo(member: Member, *, actor, content: bytes, source_address: str = "") -> Member:
    """Store a new KTP photo for ``member`` (encrypted at rest). Audited."""
    role = _roles(actor, member.koperasi, "members.edit")
    mime = check_ktp_photo(content)
    with transaction.atomic():
        _store_photo(member, content, mime)
        member.save(update_fields=["ktp_photo", "ktp_photo_type"])
        record(
            "members.ktp_photo.replaced",
            actor=actor,
            koperasi=member.koperasi,
            role=role,
            obj=member,
            summary={"type": mime, "bytes": len(content)},
            source_address=source_address,
        )
    return member


def read_ktp_photo(
    member: Member, *, actor, koperasi, source_address: str = ""
) -> tuple[bytes, str]:
    """Decrypt the KTP photo for an officer allowed to reveal personal data. Audited."""
    _same_koperasi(member, koperasi)
    role = _roles(actor, koperasi, "privacy.reveal")
    if actor is None:
        raise PermissionDeniedError(_("You are not allowed to do this."))
    if not member.ktp_photo:
        raise NotFoundError(_("This member has no KTP photo."))
    token = (Path(settings.MEDIA_ROOT) / member.ktp_photo).read_text(encoding="ascii")
    content = base64.b64decode(crypto.decrypt(token, context=_photo_context(member)))
    record(
        "members.ktp_photo.viewed",
        actor=actor,
        koperasi=koperasi,
        role=role,
        obj=member,
        summary={"number": member.number},
        source_address=source_address,
    )
    return content, member.ktp_photo_type

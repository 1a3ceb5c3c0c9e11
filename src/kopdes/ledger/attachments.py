"""Receipts attached to journal entries (bukti transaksi): model, checks and services.

Files live under ``MEDIA_ROOT/ledger/<koperasi id>/<yyyy>/`` with a random name; the
original name is kept only for display. A file is accepted by its content, not its name:
Pillow must read it as a JPEG, PNG or WebP image, or it must start with ``%PDF-``; and it
is at most 5 MB. The model is imported by ``ledger.models`` so Django registers it.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopdes.ledger.errors import LedgerError, PermissionDeniedError
from kopdes.platform.audit.services import record
from kopdes.platform.core.ids import uuid7
from kopdes.platform.core.models import TenantModel
from kopdes.platform.identity.permissions import has_perm, role_label
from kopdes.platform.identity.selectors import roles_for

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


class EntryAttachment(TenantModel):
    """A receipt (image or PDF) kept with a posted journal entry."""

    entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(max_length=300)
    original_name = models.CharField(gettext_lazy("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "ledger"
        ordering = ["uploaded_at"]
        verbose_name = gettext_lazy("receipt")

    def __str__(self) -> str:
        return self.original_name


def _clean_name(name: str) -> str:
    base = os.path.basename(name or "").strip() or "bukti"
    return re.sub(r"[^\w.\- ]+", "_", base)[:200]


def check_file(upload: Any) -> tuple[bytes, str, str]:
    """Read and check one upload; return (content, content type, extension).

    Raises ``LedgerError`` (Indonesian message) for a file too big, empty or of another
    type than an image or PDF, whatever its name says.
    """
    name = _clean_name(getattr(upload, "name", ""))
    size = getattr(upload, "size", None) or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise LedgerError(_("%(name)s is larger than 5 MB.") % {"name": name}, field="attachments")
    content = upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise LedgerError(_("%(name)s is larger than 5 MB.") % {"name": name}, field="attachments")
    if not content:
        raise LedgerError(_("%(name)s is empty.") % {"name": name}, field="attachments")
    if content.startswith(b"%PDF-"):
        return content, "application/pdf", "pdf"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        kind = None
    if kind not in IMAGE_FORMATS:
        raise LedgerError(
            _("%(name)s is not a photo (JPEG, PNG, WebP) or a PDF.") % {"name": name},
            field="attachments",
        )
    content_type, ext = IMAGE_FORMATS[kind]
    return content, content_type, ext


def check_files(uploads: Sequence[Any]) -> list[tuple[Any, bytes, str, str]]:
    """Check every upload before anything is stored; all or nothing."""
    if len(uploads) > MAX_ATTACHMENTS:
        raise LedgerError(
            _("At most %(n)d receipts per entry.") % {"n": MAX_ATTACHMENTS}, field="attachments"
        )
    return [(u, *check_file(u)) for u in uploads]


def _store(entry, actor, checked: list[tuple[Any, bytes, str, str]]) -> list[EntryAttachment]:
    import hashlib

    saved: list[EntryAttachment] = []
    written: list[str] = []
    try:
        for upload, content, content_type, ext in checked:
            path = f"ledger/{entry.koperasi_id}/{entry.date.year}/{uuid7().hex}.{ext}"
            written.append(default_storage.save(path, ContentFile(content)))
            saved.append(
                EntryAttachment.objects.create(
                    koperasi_id=entry.koperasi_id,
                    entry=entry,
                    file=written[-1],
                    original_name=_clean_name(getattr(upload, "name", "")),
                    content_type=content_type,
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    uploaded_by=actor,
                )
            )
    except Exception:
        for path in written:  # the rows roll back with the transaction; the files go too
            default_storage.delete(path)
        raise
    return saved


def add_attachments(entry, *, actor, files: Sequence[Any]) -> list[EntryAttachment]:
    """Attach receipts to a posted entry (by an officer allowed ``ledger.post_manual``)."""
    roles = roles_for(actor, entry.koperasi)
    if not has_perm(roles, "ledger.post_manual"):
        raise PermissionDeniedError(_("You are not allowed to do this in this koperasi."))
    if not files:
        raise LedgerError(_("Choose at least one file."), field="attachments")
    existing = EntryAttachment.objects.filter(koperasi_id=entry.koperasi_id, entry=entry).count()
    checked = check_files(list(files))
    if existing + len(checked) > MAX_ATTACHMENTS:
        raise LedgerError(
            _("At most %(n)d receipts per entry.") % {"n": MAX_ATTACHMENTS}, field="attachments"
        )
    with transaction.atomic():
        saved = _store(entry, actor, checked)
        record(
            "ledger.attachment.added",
            actor=actor,
            koperasi=entry.koperasi,
            role=role_label(roles),
            obj=entry,
            summary={"entry": entry.number, "files": [a.original_name for a in saved]},
        )
    return saved


def post_manual_with_receipts(koperasi, *, actor, files: Sequence[Any] = (), **entry: Any):
    """Post a manual entry (``services.post_manual``) and keep its receipts, atomically.

    Files are checked first, so a bad file posts nothing. A retry with the same
    idempotency key returns the first entry and stores no second copy of the receipts.
    """
    from kopdes.ledger import selectors, services
    from kopdes.ledger.models import EntryProposal

    checked = check_files(list(files))
    with transaction.atomic():
        replay = selectors.get_entry_by_key(koperasi, entry.get("idempotency_key", ""))
        posted = services.post_manual(koperasi, actor=actor, **entry)
        if isinstance(posted, EntryProposal):
            # A back-dated entry waiting for approval: receipts go on the entry once posted.
            return posted
        if replay is None and checked:
            saved = _store(posted, actor, checked)
            record(
                "ledger.attachment.added",
                actor=actor,
                koperasi=koperasi,
                obj=posted,
                summary={"entry": posted.number, "files": [a.original_name for a in saved]},
            )
    return posted

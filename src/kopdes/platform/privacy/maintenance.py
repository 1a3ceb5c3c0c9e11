"""Whole-database work on encrypted personal data: verify it opens, rotate the data key.

``verify_personal_data`` is registered with ``kopdes verify``: every encrypted value of
every model must decrypt under the configured keys (a wrong ``KOPDES_DATA_KEY`` or a
tampered row shows up here, named by table, row and column, never by value) and every
declared blind index must match its value.

``rotate_personal_data`` re-encrypts values still under an old key (after setting a new
``KOPDES_DATA_KEY`` and moving the previous one to ``KOPDES_DATA_KEY_OLD``) and recomputes
blind indexes; ``manage.py rotate_data_key`` runs it. When it reports nothing left to
rotate, the old key can be removed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction

from kopdes.platform.core.verification import CheckResult, register
from kopdes.platform.privacy import crypto
from kopdes.platform.privacy.crypto import DecryptionError
from kopdes.platform.privacy.fields import (
    Ciphertext,
    EncryptedTextField,
    encrypted_fields,
    update_blind_indexes,
)

CHUNK = 500
MAX_PROBLEMS = 50


def models_with_personal_data() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every installed model that has encrypted fields, with those fields."""
    found = []
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if fields:
            found.append((model, fields))
    return found


def _rows(model: type[models.Model], koperasi) -> Iterator[models.Model]:
    qs = model._base_manager.order_by("pk")
    if koperasi is not None and any(f.name == "koperasi" for f in model._meta.fields):
        qs = qs.filter(koperasi=koperasi)
    return qs.iterator(chunk_size=CHUNK)


@register("Data pribadi terenkripsi")
def verify_personal_data(koperasi=None) -> CheckResult:
    """Decrypt every encrypted value and recompute every blind index; report what fails."""
    result = CheckResult(name="Data pribadi terenkripsi", unit="baris")
    for model, fields in models_with_personal_data():
        for row in _rows(model, koperasi):
            result.checked += 1
            for field in fields:
                where = f"{model._meta.db_table} {row.pk} kolom {field.name}"
                try:
                    getattr(row, field.attname)
                except DecryptionError as exc:
                    result.problems.append(f"{where}: tidak dapat dibuka ({exc})")
                    continue
                if field.blind_index:
                    stored = getattr(row, field.blind_index[0])
                    if stored != field.index_value(row):
                        result.problems.append(f"{where}: indeks buta tidak cocok")
            if len(result.problems) >= MAX_PROBLEMS:
                result.problems.append("(pemeriksaan dihentikan: terlalu banyak masalah)")
                return result
    return result


@dataclass
class RotationReport:
    rows_checked: int = 0
    rows_rotated: int = 0


def _stale(row: models.Model, fields: list[EncryptedTextField]) -> bool:
    for field in fields:
        raw = row.__dict__.get(field.attname)
        if isinstance(raw, Ciphertext) and crypto.needs_rotation(raw):
            return True
        if field.blind_index and getattr(row, field.blind_index[0]) != field.index_value(row):
            return True
    return False


def rotate_personal_data(*, dry_run: bool = False) -> RotationReport:
    """Re-encrypt values under an old key with the current one and refresh blind indexes.

    Raises ``DecryptionError`` on a value no configured key opens (nothing is skipped
    silently). ``dry_run`` only counts.
    """
    report = RotationReport()
    for model, fields in models_with_personal_data():
        names = [f.name for f in fields]
        for row in _rows(model, None):
            report.rows_checked += 1
            if not _stale(row, fields):
                continue
            report.rows_rotated += 1
            if dry_run:
                continue
            with transaction.atomic():
                index_names = update_blind_indexes(row)
                row.save(update_fields=names + index_names)
    return report

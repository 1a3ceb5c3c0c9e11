"""Key rotation across the database and the ``kopdes verify`` check for personal data."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.test import override_settings
from django.test.utils import isolate_apps

from kopdes.platform.core.verification import CHECKS
from kopdes.platform.privacy import crypto
from kopdes.platform.privacy.fields import (
    BlindIndexField,
    Ciphertext,
    EncryptedTextField,
    update_blind_indexes,
)
from kopdes.platform.privacy.maintenance import rotate_personal_data, verify_personal_data
from kopdes.platform.privacy.models import DataRequest

KEY_A = "A" * 20 + "kunci-pertama-yang-panjang-sekali-untuk-uji"
KEY_B = "B" * 20 + "kunci-kedua-yang-panjang-sekali-untuk-uji!!"
KEY_C = "C" * 20 + "kunci-ketiga-yang-panjang-sekali-untuk-uji!"
AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _request(koperasi, detail: str) -> DataRequest:
    req = DataRequest(
        koperasi=koperasi,
        kind="access",
        subject_type="members.member",
        subject_id="m-1",
        received_at=AT,
        due_at=AT + dt.timedelta(hours=72),
        detail=detail,
    )
    req.save(force_insert=True)
    return req


def _raw(req) -> str:
    return DataRequest.objects.filter(pk=req.pk).values_list("detail", flat=True).get()


def test_verify_check_is_registered():
    assert "Data pribadi terenkripsi" in [name for name, _ in CHECKS]


@pytest.mark.django_db
def test_rotation_re_encrypts_under_the_new_key(koperasi, capsys):
    with override_settings(DATA_KEY=KEY_A, DATA_KEY_OLD=[]):
        req = _request(koperasi, "HP 081234567890")
    with override_settings(DATA_KEY=KEY_B, DATA_KEY_OLD=[KEY_A]):
        assert verify_personal_data(koperasi).ok
        assert crypto.needs_rotation(_raw(req))
        with pytest.raises(CommandError, match="kunci lama"):
            call_command("rotate_data_key", "--check")
        report = rotate_personal_data()
        assert report.rows_rotated >= 1
        assert not crypto.needs_rotation(_raw(req))
        call_command("rotate_data_key", "--check")
        assert "0 baris perlu diputar" in capsys.readouterr().out
    with override_settings(DATA_KEY=KEY_B, DATA_KEY_OLD=[]):
        assert DataRequest.objects.get(pk=req.pk).detail == "HP 081234567890"
        assert verify_personal_data(None).ok


@pytest.mark.django_db
def test_verify_names_rows_that_do_not_open_but_never_their_value(koperasi):
    with override_settings(DATA_KEY=KEY_A, DATA_KEY_OLD=[]):
        req = _request(koperasi, "NIK 3201231205850001")
    with override_settings(DATA_KEY=KEY_C, DATA_KEY_OLD=[]):
        result = verify_personal_data(koperasi)
        assert not result.ok
        assert result.checked >= 1
        text = " ".join(result.problems)
        assert str(req.pk) in text and "detail" in text
        assert "3201231205850001" not in text
        with pytest.raises(CommandError, match="tidak dapat dibuka"):
            call_command("rotate_data_key")


@pytest.mark.django_db
def test_verify_reports_a_row_moved_to_another_koperasi(koperasi, other_koperasi):
    a = _request(koperasi, "rahasia")
    b = _request(other_koperasi, "lain")
    DataRequest.objects.filter(pk=b.pk).update(detail=Ciphertext(_raw(a)))
    assert verify_personal_data(koperasi).ok
    result = verify_personal_data(other_koperasi)
    assert len(result.problems) == 1  # only detail moved; outcome is still its own
    assert any(str(b.pk) in p for p in result.problems)


@isolate_apps("kopdes.platform.privacy")
def test_declared_blind_indexes_are_filled_from_clear_values():
    class Person(models.Model):  # noqa: DJ008
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        koperasi_id = models.UUIDField()
        nik = EncryptedTextField(blank=True, blind_index=("nik_index", "nik"))
        nik_index = BlindIndexField()
        note = EncryptedTextField(blank=True)

        class Meta:
            app_label = "privacy"

    kop = uuid.uuid4()
    person = Person(koperasi_id=kop, nik="3201231205850001", note="x")
    assert update_blind_indexes(person) == ["nik_index"]
    assert person.nik_index == crypto.blind_index("nik", "3201231205850001", koperasi_id=kop)
    person.nik = ""
    update_blind_indexes(person)
    assert person.nik_index == ""
    field = Person._meta.get_field("nik")
    assert field.deconstruct()[3]["blind_index"] == ("nik_index", "nik")

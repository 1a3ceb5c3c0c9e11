"""Encrypted model fields: a real round trip through the database (SQLite and PostgreSQL),
binding to row and koperasi, tamper detection, refusal of plaintext queries."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import models, transaction
from django.test.utils import isolate_apps
from django.utils import timezone

from kopdes.platform.privacy import crypto
from kopdes.platform.privacy.crypto import DecryptionError
from kopdes.platform.privacy.fields import (
    BlindIndexField,
    Ciphertext,
    EncryptedDateField,
    EncryptedTextField,
    index_for,
)
from kopdes.platform.privacy.models import DataRequest

AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
SECRET = "NIK saya 3201231205850001, HP 081234567890"


def _request(koperasi, detail=SECRET) -> DataRequest:
    req = DataRequest(
        koperasi=koperasi,
        kind="correction",
        subject_type="members.member",
        subject_id="m-1",
        received_at=AT,
        due_at=AT + dt.timedelta(hours=72),
        detail=detail,
    )
    req.save(force_insert=True)
    return req


def _raw(req: DataRequest) -> str:
    return DataRequest.objects.filter(pk=req.pk).values_list("detail", flat=True).get()


@pytest.mark.django_db
def test_round_trip_stores_ciphertext_and_loads_clear_text(koperasi):
    req = _request(koperasi)
    stored = _raw(req)
    assert isinstance(stored, Ciphertext)
    assert stored.startswith("v1:")
    assert "3201231205850001" not in stored and "081234567890" not in stored
    loaded = DataRequest.objects.get(pk=req.pk)
    assert loaded.detail == SECRET
    assert loaded.outcome == ""  # the empty default is encrypted too, and comes back empty


@pytest.mark.django_db
def test_saving_again_re_encrypts_with_a_new_nonce(koperasi):
    req = _request(koperasi)
    first = _raw(req)
    loaded = DataRequest.objects.get(pk=req.pk)
    loaded.detail = "diperbarui"
    loaded.save(update_fields=["detail"])
    second = _raw(req)
    assert second != first
    assert DataRequest.objects.get(pk=req.pk).detail == "diperbarui"
    # Saving without reading it first keeps the value (decrypt, then encrypt again).
    untouched = DataRequest.objects.get(pk=req.pk)
    untouched.save(update_fields=["detail"])
    assert DataRequest.objects.get(pk=req.pk).detail == "diperbarui"


@pytest.mark.django_db
def test_deferred_field_is_loaded_and_decrypted_on_access(koperasi):
    req = _request(koperasi)
    loaded = DataRequest.objects.only("id", "koperasi").get(pk=req.pk)
    assert loaded.detail == SECRET


@pytest.mark.django_db
def test_ciphertext_copied_to_another_row_or_koperasi_does_not_decrypt(koperasi, other_koperasi):
    a = _request(koperasi)
    b = _request(koperasi, detail="lain")
    c = _request(other_koperasi, detail="lain")
    token = _raw(a)
    DataRequest.objects.filter(pk__in=[b.pk, c.pk]).update(detail=Ciphertext(token))
    for pk in (b.pk, c.pk):
        with pytest.raises(DecryptionError, match="integrity check"):
            _ = DataRequest.objects.get(pk=pk).detail


@pytest.mark.django_db
def test_tampered_ciphertext_raises_never_garbage(koperasi):
    req = _request(koperasi)
    token = _raw(req)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    DataRequest.objects.filter(pk=req.pk).update(detail=Ciphertext(tampered))
    loaded = DataRequest.objects.get(pk=req.pk)
    with pytest.raises(DecryptionError):
        _ = loaded.detail
    # Saving a row whose value cannot be decrypted fails too; it is never re-encrypted blind.
    with pytest.raises(DecryptionError):
        DataRequest.objects.get(pk=req.pk).save(update_fields=["detail"])


@pytest.mark.django_db
def test_plaintext_queries_on_an_encrypted_field_are_refused(koperasi):
    _request(koperasi)
    with pytest.raises(TypeError, match="blind index"):
        list(DataRequest.objects.filter(detail=SECRET))
    with pytest.raises(TypeError, match="blind index"), transaction.atomic():
        DataRequest.objects.filter(koperasi=koperasi).update(detail="clear text")
    assert DataRequest.objects.filter(detail__isnull=False).count() == 1


@pytest.mark.django_db
def test_null_stays_null(koperasi):
    field = DataRequest._meta.get_field("detail")
    assert field.to_token(None, "ctx") is None
    assert field.from_db_value(None, None, None) is None
    assert field.get_prep_value(None) is None


# --- EncryptedDateField and helpers, through a model that never touches the database ------


@isolate_apps("kopdes.platform.privacy")
def test_encrypted_date_field_round_trip_through_the_django_hooks():
    class Person(models.Model):  # noqa: DJ008
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        koperasi_id = models.UUIDField()
        birth_date = EncryptedDateField(null=True)
        nik_index = BlindIndexField()

        class Meta:
            app_label = "privacy"

    person = Person(koperasi_id=uuid.uuid4(), birth_date=dt.date(1985, 5, 12))
    field = Person._meta.get_field("birth_date")
    token = field.pre_save(person, add=True)
    assert isinstance(token, Ciphertext) and "1985" not in token
    assert field.get_prep_value(token) == str(token)

    loaded = Person(id=person.id, koperasi_id=person.koperasi_id)
    loaded.__dict__["birth_date"] = field.from_db_value(str(token), None, None)
    assert loaded.birth_date == dt.date(1985, 5, 12)

    moved = Person(koperasi_id=uuid.uuid4())  # another koperasi and row
    moved.__dict__["birth_date"] = Ciphertext(token)
    with pytest.raises(DecryptionError):
        _ = moved.birth_date

    with pytest.raises(TypeError):
        field.pre_save(Person(koperasi_id=uuid.uuid4(), birth_date="1985-05-12"), add=True)
    with pytest.raises(TypeError):
        field.pre_save(
            Person(koperasi_id=uuid.uuid4(), birth_date=timezone.now()), add=True
        )  # a datetime is not a date


@isolate_apps("kopdes.platform.privacy")
def test_text_field_needs_a_koperasi_and_a_primary_key():
    from django.core.exceptions import ImproperlyConfigured

    class Note(models.Model):  # noqa: DJ008
        koperasi_id = models.UUIDField(null=True)
        text = EncryptedTextField()

        class Meta:
            app_label = "privacy"

    with pytest.raises(ImproperlyConfigured):
        Note._meta.get_field("text").pre_save(Note(text="x"), add=True)
    with pytest.raises(TypeError):
        Note._meta.get_field("text").pre_save(Note(pk=1, koperasi_id=uuid.uuid4(), text=5), True)


def test_blind_index_field_defaults_and_index_helper():
    field = BlindIndexField()
    assert (field.max_length, field.blank, field.default, field.editable) == (64, True, "", False)

    class Holder:
        koperasi_id = "kop-1"

    assert index_for(Holder(), "nik", None) == ""
    assert index_for(Holder(), "nik", "3201231205850001") == crypto.blind_index(
        "nik", "3201231205850001", koperasi_id="kop-1"
    )


def test_fields_deconstruct_for_migrations():
    _name, path, _args, kwargs = EncryptedTextField(context_attr="owner_id").deconstruct()
    assert path == "kopdes.platform.privacy.fields.EncryptedTextField"
    assert kwargs["context_attr"] == "owner_id"
    _name, path, _args, kwargs = EncryptedDateField().deconstruct()
    assert path == "kopdes.platform.privacy.fields.EncryptedDateField"
    assert "context_attr" not in kwargs


def test_date_field_gets_a_date_form_field():
    from django import forms

    assert isinstance(EncryptedDateField().formfield(), forms.DateField)
    assert isinstance(EncryptedTextField().formfield(), forms.CharField)

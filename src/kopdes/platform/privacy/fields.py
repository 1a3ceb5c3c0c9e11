"""Model fields that keep personal data encrypted in the database.

``EncryptedTextField`` and ``EncryptedDateField`` hold clear ``str`` / ``date`` values in
Python and a ``v1:...`` token (see ``crypto``) in a text column. The token is bound to
``"<app.model>.<field>:<koperasi_id>:<pk>"``, so the model needs its primary key before
the first save (``TenantModel`` has a UUIDv7 default) and a ``koperasi_id`` (the
attribute named by ``context_attr``).

How it works: loading wraps the column value in ``Ciphertext``; the attribute decrypts it
on first access (the instance is needed for the context, which ``from_db_value`` does not
have) and keeps the clear value. Saving encrypts afresh in ``pre_save`` (new nonce).

What it refuses:
* filtering on the field (``.filter(nik=...)``): the ciphertext is random, such a query
  would silently find nothing. Use a ``BlindIndexField`` and ``crypto.blind_index``.
* ``.values("nik")`` returns ``Ciphertext`` tokens, never clear text (no instance, no
  context): read personal data through model instances.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from kopdes.platform.privacy import crypto


class Ciphertext(str):
    """A token as stored in the database; not yet decrypted."""

    __slots__ = ()


class _DecryptingAttribute(DeferredAttribute):
    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Ciphertext):
            field: EncryptedTextField = self.field  # type: ignore[assignment]
            value = field.from_token(value, field.context_for(instance))
            instance.__dict__[field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        # A data descriptor (unlike DeferredAttribute), so ``__get__`` runs even when the
        # instance dict holds the value: that is where the token gets decrypted.
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Personal data as text, AES-256-GCM encrypted at rest. Python value: ``str`` or None."""

    descriptor_class = _DecryptingAttribute

    def __init__(
        self,
        *args: Any,
        context_attr: str = "koperasi_id",
        blind_index: tuple[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``blind_index=("nik_index", "nik")`` names the ``BlindIndexField`` that holds this
        value's index and the index kind; ``update_blind_indexes`` and the key rotation keep
        it in step. Store values already normalised (``parse_nik(...).nik``, E.164 phone)."""
        self.context_attr = context_attr
        self.blind_index = tuple(blind_index) if blind_index else None
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.context_attr != "koperasi_id":
            kwargs["context_attr"] = self.context_attr
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        return name, path, args, kwargs

    def index_value(self, instance: models.Model) -> str:
        """The blind index this field's current value should have on ``instance`` ("" if none)."""
        if not self.blind_index:
            raise ImproperlyConfigured(f"{self.model._meta.label}.{self.name} has no blind index")
        value = getattr(instance, self.attname)
        if value is None or value == "":
            return ""
        text = self.to_clear_text(value)
        return crypto.blind_index(
            self.blind_index[1], text, koperasi_id=getattr(instance, self.context_attr)
        )

    # --- clear value <-> text ----------------------------------------------------------
    def to_clear_text(self, value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"{self.model.__name__}.{self.name} holds text, not {type(value)}")
        return value

    def from_clear_text(self, text: str) -> Any:
        return text

    # --- encryption ------------------------------------------------------------------------
    def context_for(self, instance: models.Model) -> str:
        """``"<app.model>.<field>:<koperasi_id>:<pk>"``: binds the token to its place."""
        scope = getattr(instance, self.context_attr, None)
        if scope is None or instance.pk is None:
            raise ImproperlyConfigured(
                f"{self.model._meta.label}.{self.name} needs {self.context_attr} and a primary "
                "key before it can be encrypted or decrypted."
            )
        return f"{self.model._meta.label_lower}.{self.name}:{scope}:{instance.pk}"

    def to_token(self, value: Any, context: str) -> Ciphertext | None:
        if value is None:
            return None
        if isinstance(value, Ciphertext):
            # Loaded but never read: re-encrypting needs the clear value anyway, and a
            # token moved between rows must not be saved unchecked.
            value = self.from_token(value, context)
        return Ciphertext(crypto.encrypt(self.to_clear_text(value), context=context))

    def from_token(self, token: str | None, context: str) -> Any:
        if token is None:
            return None
        return self.from_clear_text(crypto.decrypt(token, context=context))

    # --- Django hooks ----------------------------------------------------------------------
    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        return self.to_token(value, self.context_for(model_instance))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else Ciphertext(value)

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, Ciphertext):
            return None if value is None else str(value)
        raise TypeError(
            f"{self.model.__name__}.{self.name} is encrypted and cannot be compared in a "
            "query; look it up through its blind index (crypto.blind_index)."
        )

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata, fixtures) carries the token, never the clear value.
        return self.to_token(self.value_from_object(obj), self.context_for(obj)) or ""


class EncryptedDateField(EncryptedTextField):
    """A date of birth, encrypted at rest. Python value: ``datetime.date`` or None."""

    def to_clear_text(self, value: Any) -> str:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise TypeError(f"{self.model.__name__}.{self.name} holds a date, not {type(value)}")
        return value.isoformat()

    def from_clear_text(self, text: str) -> Any:
        return dt.date.fromisoformat(text)

    def formfield(self, **kwargs: Any) -> Any:
        # A date input, not the text area a TextField would get.
        return super(models.TextField, self).formfield(**{"form_class": forms.DateField, **kwargs})


class BlindIndexField(models.CharField):
    """The 64-hex HMAC blind index of a personal-data value (see ``crypto.blind_index``).

    Put it in a ``UniqueConstraint(fields=["koperasi", "<x>_index"])`` for uniqueness and
    filter on it for exact search. Empty string means "no value".
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)


def index_for(instance: models.Model, kind: str, normalised_value: str | None) -> str:
    """Blind index of ``normalised_value`` for ``instance``'s koperasi ("" for no value)."""
    if not normalised_value:
        return ""
    return crypto.blind_index(kind, normalised_value, koperasi_id=instance.koperasi_id)  # type: ignore[attr-defined]


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    """The encrypted personal-data fields of ``model`` (concrete fields only)."""
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def update_blind_indexes(instance: models.Model) -> list[str]:
    """Set every blind index column of ``instance`` from its clear values.

    Call before saving whenever an indexed value changes; returns the names of the index
    fields, for ``save(update_fields=...)``.
    """
    names: list[str] = []
    for field in encrypted_fields(type(instance)):
        if field.blind_index:
            setattr(instance, field.blind_index[0], field.index_value(instance))
            names.append(field.blind_index[0])
    return names

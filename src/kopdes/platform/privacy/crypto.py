"""Encryption of personal data at rest (AES-256-GCM) and blind indexes (HMAC-SHA256).

The master secret is ``settings.DATA_KEY`` (env ``KOPDES_DATA_KEY``, else generated once
into ``var/data_key`` with mode 0600). It never lives in the database, so a stolen database
file or dump alone reveals no NIK, phone number or address. Two independent 32-byte keys
are derived from it with HKDF-SHA256: one for encryption, one for blind indexes.

Token format (what the database column holds)::

    v1:<base64url( key_id[4] || nonce[12] || ciphertext || tag[16] )>

* ``v1`` names the format; a future format gets ``v2`` and both stay readable.
* ``key_id`` is a fingerprint of the master secret that encrypted the value, so after a
  key rotation (new ``KOPDES_DATA_KEY``, old ones listed comma-separated in
  ``KOPDES_DATA_KEY_OLD``) old values still decrypt and ``needs_rotation`` finds them.
* A fresh random 96-bit nonce per value (never reused: 2^-32 collision risk only after
  ~2^32 values under one key, far beyond one koperasi).
* Associated data is a *context* string, ``"<app.model>.<field>:<koperasi_id>:<row id>"``:
  a ciphertext copied into another column, row or koperasi fails authentication.

Anything wrong (tampered bytes, wrong context, unknown key, bad format) raises
``DecryptionError``; a wrong value is never returned.

Blind index: ``HMAC-SHA256(index_key, kind || koperasi_id || normalised value)`` as 64 hex
characters. Per koperasi (so the same NIK in two koperasi gives unrelated indexes, and one
koperasi's table says nothing about another's) and per kind (``"nik"``, ``"phone"``...).
Normalise before indexing (``domain.nik.parse_nik(...).nik``, ``domain.phone.normalize_phone``)
so every way of typing a number finds the same row.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

TOKEN_PREFIX = "v1:"  # noqa: S105 - a format marker, not a secret
KEY_ID_BYTES = 4
NONCE_BYTES = 12
TAG_BYTES = 16
_SALT = b"kopdes personal data v1"
_SEP = b"\x1f"  # unit separator: cannot occur in a normalised NIK/phone or a UUID


class DecryptionError(Exception):
    """A stored personal-data value cannot be decrypted: tampered, moved, or unknown key.

    Never shown to members as is; the message names the context, never the value.
    """


@dataclass(frozen=True)
class _KeySet:
    key_id: bytes
    enc: AESGCM
    index_key: bytes


def _hkdf(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(master)


@lru_cache(maxsize=16)
def _derive(master_secret: str) -> _KeySet:
    if len(master_secret) < 32:
        raise ValueError("DATA_KEY is too short: at least 32 characters of random secret.")
    master = master_secret.encode("utf-8")
    return _KeySet(
        key_id=_hkdf(master, b"kopdes/pd/key-id")[:KEY_ID_BYTES],
        enc=AESGCM(_hkdf(master, b"kopdes/pd/encryption")),
        index_key=_hkdf(master, b"kopdes/pd/blind-index"),
    )


def _current() -> _KeySet:
    return _derive(settings.DATA_KEY)


def _old_secrets() -> list[str]:
    configured = getattr(settings, "DATA_KEY_OLD", None)
    if configured is None:
        configured = os.environ.get("KOPDES_DATA_KEY_OLD", "")
    if isinstance(configured, str):
        configured = configured.split(",")
    return [s.strip() for s in configured if s and s.strip()]


def _all_keys() -> list[_KeySet]:
    return [_current(), *(_derive(s) for s in _old_secrets())]


def _aad(context: str) -> bytes:
    if not context:
        raise ValueError("An encryption context is required.")
    return TOKEN_PREFIX.encode() + context.encode("utf-8")


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt ``plaintext`` under the current key, bound to ``context``; return a token."""
    keys = _current()
    nonce = os.urandom(NONCE_BYTES)
    sealed = keys.enc.encrypt(nonce, plaintext.encode("utf-8"), _aad(context))
    return TOKEN_PREFIX + base64.urlsafe_b64encode(keys.key_id + nonce + sealed).decode("ascii")


def _split(token: str, context: str) -> tuple[bytes, bytes, bytes]:
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
        raise DecryptionError(f"Unknown personal-data token format ({context}).")
    try:
        raw = base64.urlsafe_b64decode(token[len(TOKEN_PREFIX) :].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise DecryptionError(f"Personal-data token is not valid base64 ({context}).") from None
    if len(raw) < KEY_ID_BYTES + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError(f"Personal-data token is truncated ({context}).")
    return (
        raw[:KEY_ID_BYTES],
        raw[KEY_ID_BYTES : KEY_ID_BYTES + NONCE_BYTES],
        raw[KEY_ID_BYTES + NONCE_BYTES :],
    )


def decrypt(token: str, *, context: str) -> str:
    """Return the plaintext of ``token`` or raise ``DecryptionError``.

    Tries the key whose id the token names (current or one of the old keys).
    """
    key_id, nonce, sealed = _split(token, context)
    for keys in _all_keys():
        if hmac.compare_digest(keys.key_id, key_id):
            try:
                return keys.enc.decrypt(nonce, sealed, _aad(context)).decode("utf-8")
            except InvalidTag:
                raise DecryptionError(
                    f"Personal data failed its integrity check ({context}): the stored value "
                    "was changed, or copied from another field, row or koperasi."
                ) from None
    raise DecryptionError(
        f"Personal data was encrypted with a key this installation does not have ({context}). "
        "Is KOPDES_DATA_KEY (or KOPDES_DATA_KEY_OLD) set to the right secret?"
    )


def needs_rotation(token: str) -> bool:
    """True when ``token`` was encrypted with an old key (re-encrypt it with ``rotate``)."""
    key_id, _nonce, _sealed = _split(token, "rotation check")
    return not hmac.compare_digest(key_id, _current().key_id)


def rotate(token: str, *, context: str) -> str:
    """Re-encrypt ``token`` under the current key (same context); unchanged if already current."""
    if not needs_rotation(token):
        return token
    return encrypt(decrypt(token, context=context), context=context)


def blind_index(kind: str, value: str, *, koperasi_id: object) -> str:
    """HMAC-SHA256 blind index of a NORMALISED ``value`` for exact lookup and uniqueness.

    ``kind`` separates index spaces (``"nik"``, ``"kk"``, ``"phone"``); ``koperasi_id``
    makes indexes unrelated across koperasi. Returns 64 lowercase hex characters.
    """
    return _index(_current().index_key, kind, value, koperasi_id)


def blind_index_candidates(kind: str, value: str, *, koperasi_id: object) -> list[str]:
    """The index under the current and every old key: search with ``__in`` during a rotation."""
    return [_index(k.index_key, kind, value, koperasi_id) for k in _all_keys()]


def _index(key: bytes, kind: str, value: str, koperasi_id: object) -> str:
    if not kind or koperasi_id is None:
        raise ValueError("A blind index needs a kind and a koperasi.")
    message = _SEP.join(
        (kind.encode("utf-8"), str(koperasi_id).encode("utf-8"), value.encode("utf-8"))
    )
    return hmac.new(key, message, hashlib.sha256).hexdigest()

"""AES-256-GCM tokens and HMAC blind indexes: round trip, binding, tamper, rotation."""

from __future__ import annotations

import base64

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from kopdes.platform.privacy import crypto
from kopdes.platform.privacy.crypto import DecryptionError

KEY_A = "A" * 20 + "kunci-pertama-yang-panjang-sekali-untuk-uji"
KEY_B = "B" * 20 + "kunci-kedua-yang-panjang-sekali-untuk-uji!!"
CTX = "members.member.nik:0190-kop-a:0190-row-1"


@pytest.fixture(autouse=True)
def _fixed_key():
    with override_settings(DATA_KEY=KEY_A, DATA_KEY_OLD=[]):
        yield


def test_round_trip_and_token_format():
    token = crypto.encrypt("3201231205850001", context=CTX)
    assert token.startswith("v1:")
    assert "3201231205850001" not in token
    assert crypto.decrypt(token, context=CTX) == "3201231205850001"


def test_each_encryption_uses_a_fresh_nonce():
    tokens = {crypto.encrypt("3201231205850001", context=CTX) for _ in range(50)}
    assert len(tokens) == 50


@pytest.mark.parametrize(
    "other_context",
    [
        "members.member.nik:0190-kop-b:0190-row-1",  # another koperasi
        "members.member.nik:0190-kop-a:0190-row-2",  # another row
        "members.member.phone:0190-kop-a:0190-row-1",  # another field
    ],
)
def test_a_token_copied_elsewhere_does_not_decrypt(other_context):
    token = crypto.encrypt("3201231205850001", context=CTX)
    with pytest.raises(DecryptionError, match="integrity check"):
        crypto.decrypt(token, context=other_context)


def _flip(token: str, position: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token[3:]))
    raw[position] ^= 0x01
    return "v1:" + base64.urlsafe_b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("position", [4, 10, 16, 17, -1, -16])
def test_any_flipped_bit_is_detected(position):
    token = crypto.encrypt("3201231205850001", context=CTX)
    with pytest.raises(DecryptionError):
        crypto.decrypt(_flip(token, position), context=CTX)


def test_flipping_the_key_id_names_an_unknown_key():
    token = crypto.encrypt("x", context=CTX)
    with pytest.raises(DecryptionError, match="key this installation does not have"):
        crypto.decrypt(_flip(token, 0), context=CTX)


@pytest.mark.parametrize(
    "token",
    ["", "3201231205850001", "v2:AAAA", "v1:", "v1:!!!notbase64", "v1:AAAA", "v1:" + "A" * 40],
)
def test_malformed_tokens_raise_decryption_error(token):
    with pytest.raises(DecryptionError):
        crypto.decrypt(token, context=CTX)


def test_wrong_key_fails_loudly():
    token = crypto.encrypt("secret", context=CTX)
    with override_settings(DATA_KEY=KEY_B), pytest.raises(DecryptionError):
        crypto.decrypt(token, context=CTX)


def test_old_keys_still_decrypt_after_rotation_and_rotate_re_encrypts():
    old_token = crypto.encrypt("081234567890", context=CTX)
    with override_settings(DATA_KEY=KEY_B, DATA_KEY_OLD=[KEY_A]):
        assert crypto.needs_rotation(old_token)
        assert crypto.decrypt(old_token, context=CTX) == "081234567890"
        new_token = crypto.rotate(old_token, context=CTX)
        assert not crypto.needs_rotation(new_token)
        assert crypto.rotate(new_token, context=CTX) == new_token
    with override_settings(DATA_KEY=KEY_B, DATA_KEY_OLD=[]):
        assert crypto.decrypt(new_token, context=CTX) == "081234567890"


def test_old_keys_from_a_comma_separated_string():
    old_token = crypto.encrypt("a", context=CTX)
    with override_settings(DATA_KEY=KEY_B, DATA_KEY_OLD=f" {KEY_A} ,"):
        assert crypto.decrypt(old_token, context=CTX) == "a"


def test_a_short_master_key_is_refused():
    with override_settings(DATA_KEY="short"), pytest.raises(ValueError, match="too short"):
        crypto.encrypt("a", context=CTX)


def test_blind_index_is_deterministic_per_koperasi_and_kind():
    a1 = crypto.blind_index("nik", "3201231205850001", koperasi_id="kop-a")
    assert a1 == crypto.blind_index("nik", "3201231205850001", koperasi_id="kop-a")
    assert len(a1) == 64 and int(a1, 16) >= 0
    assert a1 != crypto.blind_index("nik", "3201231205850001", koperasi_id="kop-b")
    assert a1 != crypto.blind_index("kk", "3201231205850001", koperasi_id="kop-a")
    assert a1 != crypto.blind_index("nik", "3201231205850002", koperasi_id="kop-a")
    with override_settings(DATA_KEY=KEY_B):
        assert a1 != crypto.blind_index("nik", "3201231205850001", koperasi_id="kop-a")


def test_blind_index_is_not_the_encryption_key_at_work():
    # Independent HKDF outputs: the index never equals a plain SHA/HMAC under the master.
    import hashlib
    import hmac

    value = "3201231205850001"
    naive = hmac.new(KEY_A.encode(), value.encode(), hashlib.sha256).hexdigest()
    assert crypto.blind_index("nik", value, koperasi_id="k") != naive


def test_blind_index_candidates_cover_old_keys():
    with override_settings(DATA_KEY=KEY_B, DATA_KEY_OLD=[KEY_A]):
        candidates = crypto.blind_index_candidates("nik", "1", koperasi_id="k")
    with override_settings(DATA_KEY=KEY_A):
        old = crypto.blind_index("nik", "1", koperasi_id="k")
    assert len(candidates) == 2 and candidates[1] == old


def test_blind_index_needs_a_koperasi():
    with pytest.raises(ValueError):
        crypto.blind_index("nik", "1", koperasi_id=None)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.text(max_size=200), st.text(min_size=1, max_size=80))
def test_any_text_round_trips(plaintext, context):
    with override_settings(DATA_KEY=KEY_A):
        assert crypto.decrypt(crypto.encrypt(plaintext, context=context), context=context) == (
            plaintext
        )

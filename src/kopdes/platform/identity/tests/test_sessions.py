"""The session store reads rows with ``get_by`` and keeps Django's expiry rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from kopdes.platform.identity.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_loads_and_an_expired_one_is_no_session():
    store = SessionStore()
    store["kasir"] = "ada"
    store.create()
    assert SessionStore(store.session_key).load() == {"kasir": "ada"}
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("tidak-ada-sesi-seperti-ini").load() == {}

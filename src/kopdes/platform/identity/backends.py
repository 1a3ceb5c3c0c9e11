"""Django's ModelBackend with the per-request user read done as a plain fetch.

Every page request of a logged-in officer reads her user row (``auth.get_user``) and the
TOTP device that verified the session (``identity.middleware.OTPMiddleware``). Through the
ORM each read compiles a query afresh, which at a busy counter cost more than running
it (``bench savings_teller``). Both go through ``platform.core.rows``: the same row,
the same converters, the same instance, and both in one round trip when the session has
a device (``identity.middleware``).
"""

from __future__ import annotations

from django.contrib.auth import backends, get_user_model
from django.core.exceptions import ValidationError

from kopdes.platform.core.rows import get_by
from kopdes.platform.identity.middleware import read_ahead


class ModelBackend(backends.ModelBackend):
    """``django.contrib.auth.backends.ModelBackend`` whose ``get_user`` is a plain fetch."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        known, user = read_ahead("user", pk)  # with the session's device (middleware)
        if not known:
            user = get_by(model, **{model._meta.pk.attname: pk})
        return user if user is not None and self.user_can_authenticate(user) else None

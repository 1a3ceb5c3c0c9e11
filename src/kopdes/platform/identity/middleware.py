"""django-otp's middleware with the session's device read as a plain fetch (see
``identity.backends`` for why)."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django_otp.middleware import OTPMiddleware as BaseOTPMiddleware
from django_otp.models import Device

from kopdes.platform.core.rows import get_by


class OTPMiddleware(BaseOTPMiddleware):
    """django-otp's middleware; the session's device (``"app.model/id"``) is a plain fetch.

    The checks that matter (the device belongs to this user and is confirmed) stay in
    django-otp's ``_finalize_device``.
    """

    def _device_from_persistent_id(self, persistent_id: str):
        persistent_id = self._normalize_persistent_id(persistent_id)
        try:
            model_label, device_id = persistent_id.rsplit("/", 1)
            model = apps.get_model(model_label)
            pk = model._meta.pk.to_python(device_id)
        except (ValueError, LookupError, ValidationError):
            return None
        if not issubclass(model, Device):  # only ever a device, whatever the session says
            return None
        return get_by(model, **{model._meta.pk.attname: pk})

"""Builders for the tenant-isolation harness (tests/test_isolation.py).

For every URL keyword argument other than ``slug``, a function that creates such an object in
the given koperasi and returns the value to put in the URL. A route whose keyword is missing
here fails the harness, so a new route cannot go unprobed. Each app adds its own keys.
"""

from __future__ import annotations

from collections.abc import Callable

from kopdes.platform.tenancy.models import Koperasi

SAMPLES: dict[str, Callable[[Koperasi], str]] = {}


# --- identity ------------------------------------------------------------------------------
def _role_assignment(koperasi: Koperasi) -> str:
    """An active kasir role in ``koperasi`` (the revoke route takes its id)."""
    from kopdes.platform.core.testing import make_user
    from kopdes.platform.identity.models import RoleAssignment

    user = make_user("kasir", koperasi)
    return str(RoleAssignment.objects.get(user=user, koperasi=koperasi).pk)


SAMPLES["assignment_id"] = _role_assignment


# --- audit ---------------------------------------------------------------------------------
def _audit_event(koperasi: Koperasi) -> str:
    """An audit event on ``koperasi``'s chain (the event detail route takes its id)."""
    from kopdes.platform.audit.services import record

    return str(record("test.sample.created", koperasi=koperasi, summary={"sample": True}).pk)


SAMPLES["event_id"] = _audit_event

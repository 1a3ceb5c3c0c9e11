"""The request of a page under ``/k/<slug>/``, as ``tenancy.access.koperasi_view`` hands it
to the view: Django's ``HttpRequest`` with the koperasi from the URL and the caller's roles
in it. Annotate such a view ``request: KoperasiRequest`` instead of reading the two
attributes past the type checker."""

from __future__ import annotations

from django.http import HttpRequest

from kopdes.platform.identity.choices import Role
from kopdes.platform.tenancy.models import Koperasi


class KoperasiRequest(HttpRequest):
    """Set by ``koperasi_view`` before the view runs; never built by hand."""

    koperasi: Koperasi
    roles: frozenset[Role]

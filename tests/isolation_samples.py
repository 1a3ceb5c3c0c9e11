"""Builders for the tenant-isolation harness (tests/test_isolation.py).

For every URL keyword argument other than ``slug``, a function that creates such an object in
the given koperasi and returns the value to put in the URL. A route whose keyword is missing
here fails the harness, so a new route cannot go unprobed. Each app adds its own keys.
"""

from __future__ import annotations

from collections.abc import Callable

from kopdes.platform.tenancy.models import Koperasi

SAMPLES: dict[str, Callable[[Koperasi], str]] = {}

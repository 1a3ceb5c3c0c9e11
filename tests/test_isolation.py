"""T8: tenant isolation, by machinery.

1. Every model of kopdes carries a non-null ``koperasi`` (outside an explicit allow-list), and
   every unique constraint includes it.
2. Every URL route is probed: as a user holding EVERY koperasi role in koperasi A (so no
   permission check hides a leak), each route under ``/k/<slug>/`` is requested with B's slug,
   and with A's slug but B's object ids, by GET and POST: the answer is 404 (405 where the
   method is not served). API routes likewise, with A's bearer token.
3. Every page of A that can be fetched is fetched, and none shows B's canary strings.
4. The approvals inbox's approve and reject URLs, for every registered kind, refuse B's
   items (404, nothing decided); the route walk above probes one kind only.
A new route without a probe (an unknown URL keyword, or a route outside ``/k/<slug>/`` that is
not allow-listed) fails this test.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from kopdes.platform.core import testing
from kopdes.platform.identity.api import hash_token
from kopdes.platform.identity.choices import KOPERASI_ROLES
from kopdes.platform.identity.models import ApiToken, RoleAssignment
from tests.isolation_samples import SAMPLES

# The route walk builds two koperasi with every sample object and requests every route: one
# of the five slowest tests, so `slow` (make test and CI run it; `-m "not slow"` skips it).
pytestmark = pytest.mark.slow

# Models that are not owned by one koperasi, and why.
GLOBAL_MODELS = {
    "tenancy.koperasi": "the tenant itself",
    "identity.user": "a person may hold roles in several koperasi",
    "identity.roleassignment": "koperasi is null for cross-koperasi roles (dinas, admin...)",
    "identity.apitoken": "belongs to a user, who may act in several koperasi",
    "audit.auditevent": "koperasi is null on the platform chain (logins, admin work)",
}
# Unique constraints that do not name koperasi but are scoped another way.
SCOPED_UNIQUES = {
    ("audit.auditevent", ("chain", "seq")): "chain is the koperasi id (or 'platform')",
}
# Routes outside /k/<slug>/ that serve no koperasi data, and why.
GLOBAL_ROUTES = {
    "web:home": "lists only the caller's own koperasi (checked below)",
    "web:healthz": "liveness probe, no data",
    "identity:login": "login form",
    "identity:logout": "logout",
    "identity:two-factor": "the caller's own TOTP",
    "identity:recovery-codes": "the caller's own recovery codes",
    "identity:invitation-accept": "token-addressed, no koperasi data before acceptance",
    "set_language": "language cookie",
    "api:openapi-json": "schema",
    "api:openapi-view": "schema page",
    "api:api-root": "schema root",
    "api:me": "the caller's own profile",
    "portal:login": "member login form; the koperasi is typed in, no data before login",
    "portal:activate": "one-time-code form; no koperasi data is shown",
    "village-search": "the public Kemendagri village list (names and codes), login only",
}
KWARG_RE = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
NINJA_KWARG_RE = re.compile(r"\{(?P<name>[^}]+)\}")
CANARY = "KANARI-" + "B7Q"


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str
    kwargs: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    def url(self, values: dict[str, str]) -> str:
        def sub(match: re.Match) -> str:
            return str(values[match.group("name")])

        return "/" + KWARG_RE.sub(sub, self.pattern)


def iter_routes(resolver=None, prefix: str = "", namespace: str | None = None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from iter_routes(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            kwargs = tuple(m.group("name") for m in KWARG_RE.finditer(pattern))
            yield Route(pattern=pattern, name=name, kwargs=kwargs)


def kopdes_models():
    for model in apps.get_models():
        if model.__module__.startswith("kopdes."):
            yield model


def test_every_kopdes_model_carries_its_koperasi():
    problems = []
    for model in kopdes_models():
        label = model._meta.label_lower
        if label in GLOBAL_MODELS:
            continue
        try:
            field = model._meta.get_field("koperasi")
        except Exception:
            problems.append(f"{label}: no koperasi field")
            continue
        if not isinstance(field, models.ForeignKey) or field.null:
            problems.append(f"{label}: koperasi must be a non-null foreign key")
    assert problems == [], "tenant tables without koperasi:\n" + "\n".join(problems)


def test_every_unique_constraint_includes_koperasi():
    problems = []
    for model in kopdes_models():
        label = model._meta.label_lower
        if label == "tenancy.koperasi" or label == "identity.user":
            continue
        uniques = [
            tuple(c.fields)
            for c in model._meta.constraints
            if isinstance(c, models.UniqueConstraint) and c.fields
        ]
        uniques += [tuple(u) for u in model._meta.unique_together]
        uniques += [(f.name,) for f in model._meta.local_fields if f.unique and not f.primary_key]
        for fields in uniques:
            if "koperasi" in fields or (label, fields) in SCOPED_UNIQUES:
                continue
            if label in GLOBAL_MODELS and "koperasi" not in [f.name for f in model._meta.fields]:
                continue
            if fields in (("token_hash",),):  # random 256-bit secrets cannot collide across tenants
                continue
            if label in GLOBAL_MODELS:
                continue
            problems.append(f"{label}: unique {fields} does not include koperasi")
    assert problems == [], "\n".join(problems)


@pytest.fixture
def tenants(db):
    a = testing.make_koperasi("koperasi-a", region_code="32.01.26.2001", name="Koperasi A")
    b = testing.make_koperasi(
        "koperasi-b",
        region_code="33.02.01.2001",
        name=f"Koperasi {CANARY}",
        address=f"Jalan {CANARY}",
    )
    user = testing.make_user("ketua", a)
    for role in KOPERASI_ROLES:
        if role != "ketua":
            RoleAssignment.objects.create(user=user, role=role, koperasi=a)
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name="isolation", token_hash=hash_token(raw))
    # B's own people, so B has data of every kind the samples make.
    testing.make_user("ketua", b, username=f"ketua-{CANARY.lower()}")
    return a, b, user, raw


def _values(route: Route, slug: str, koperasi) -> dict[str, str]:
    values = {"slug": slug}
    for kw in route.kwargs:
        if kw == "slug":
            continue
        builder = SAMPLES.get(kw)
        assert builder is not None, (
            f"route {route.name or route.pattern} takes <{kw}>: add a builder for it to "
            "tests/isolation_samples.py so the isolation harness can probe it"
        )
        values[kw] = builder(koperasi)
    return values


def test_every_route_is_probed_or_allow_listed():
    unprobed = [
        r.name or r.pattern
        for r in iter_routes()
        if "slug" not in r.kwargs and r.name not in GLOBAL_ROUTES
    ]
    assert unprobed == [], (
        f"routes outside /k/<slug>/ must be allow-listed with a reason in GLOBAL_ROUTES: {unprobed}"
    )


def _tenant_snapshot(koperasi) -> dict[str, int]:
    """Row counts of every tenant table for one koperasi (B must be untouched by A)."""
    return {
        model._meta.label_lower: model._default_manager.filter(koperasi=koperasi).count()
        for model in kopdes_models()
        if model._meta.label_lower not in GLOBAL_MODELS
    }


def test_no_route_serves_another_koperasi(client, tenants):
    a, b, user, token = tenants
    testing.login(client, user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    routes = [r for r in iter_routes() if "slug" in r.kwargs]
    assert routes, "no tenant routes found"
    violations = []
    probes = 0
    # Build every sample first, so the snapshot of B is taken before any probe.
    plans = []
    for route in routes:
        b_values = _values(route, b.slug, b)
        variants = [("B slug", b_values)]
        if len(route.kwargs) > 1:
            variants.append(("A slug, B ids", dict(b_values, slug=a.slug)))
        plans.append((route, variants))
    before = _tenant_snapshot(b)
    for route, variants in plans:
        for label, values in variants:
            url = route.url(values)
            methods = ("get", "post", "put", "patch", "delete") if route.is_api else ("get", "post")
            for method in methods:
                extra = auth if route.is_api else {}
                response = getattr(client, method)(url, **extra)
                probes += 1
                body = response.content.decode(errors="replace")
                allowed = {404, 405}
                if route.is_api and method != "get":
                    # django-ninja validates a JSON body before the view runs: an empty body
                    # is refused with 400/422 before the koperasi is even looked up. That
                    # leaks nothing; the snapshot below proves nothing was written.
                    allowed |= {400, 422}
                if response.status_code not in allowed or CANARY in body:
                    violations.append(
                        f"{method.upper()} {url} ({route.name}, {label}) -> "
                        f"{response.status_code}{' with canary' if CANARY in body else ''}"
                    )
    assert violations == [], f"{len(violations)} of {probes} probes leaked:\n" + "\n".join(
        violations
    )
    after = _tenant_snapshot(b)
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert changed == {}, f"probes as koperasi A changed koperasi B's rows: {changed}"


def test_own_pages_never_show_another_koperasi(client, tenants):
    a, _b, user, token = tenants
    testing.login(client, user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    leaks = []
    for route in iter_routes():
        if "slug" not in route.kwargs and route.name not in ("web:home", "api:me"):
            continue
        values = _values(route, a.slug, a) if "slug" in route.kwargs else {}
        url = route.url(values)
        response = client.get(url, **(auth if route.is_api else {}))
        if response.status_code == 200 and CANARY in response.content.decode(errors="replace"):
            leaks.append(url)
    assert leaks == []


def _decision(item) -> tuple:
    """What deciding an item changes (its state or status, the checker)."""
    item = type(item)._default_manager.get(pk=item.pk)
    return tuple(
        getattr(item, name, None)
        for name in ("state", "status", "decided_by_id", "second_approved_by_id")
    )


def test_the_approvals_inbox_decides_nothing_of_another_koperasi(client, tenants):
    """The inbox and its two decide URLs, for EVERY registered kind: B's pending item,
    approved and rejected as A's officer holding every role (A's slug with B's id, and B's
    slug), answers 404 and stays undecided; B's inbox is 404; A's inbox never lists it. A
    kind registered without a builder in ``tests/test_approvals_inbox.BUILDERS`` fails here."""
    from django.urls import reverse

    from kopdes.platform.approvals import registry
    from tests.test_approvals_inbox import BUILDERS

    a, b, user, _token = tenants
    assert set(BUILDERS) == set(registry.KINDS), "every kind needs an inbox builder"
    # In BUILDERS' order: the back-dated entry narrows the koperasi's allowance, so it is last.
    items = {name: build(b).item for name, build in BUILDERS.items()}
    decided = {name: _decision(item) for name, item in items.items()}
    before = _tenant_snapshot(b)
    testing.login(client, user)
    assert client.get(reverse("approvals:inbox", kwargs={"slug": b.slug})).status_code == 404
    own = client.get(reverse("approvals:inbox", kwargs={"slug": a.slug}))
    assert own.status_code == 200
    body = own.content.decode()
    assert CANARY not in body and 'data-testid="approval"' not in body
    assert not [name for name, item in items.items() if str(item.pk) in body]
    leaks = []
    for name, item in items.items():
        for decision in ("approve", "reject"):
            for slug in (a.slug, b.slug):
                url = reverse(
                    f"approvals:{decision}",
                    kwargs={"slug": slug, "approval_kind": name, "approval_item_id": item.pk},
                )
                response = client.post(url, {"reason": "Uji isolasi"})
                if response.status_code != 404:
                    leaks.append(f"POST {url} -> {response.status_code}")
                if client.get(url).status_code not in (404, 405):
                    leaks.append(f"GET {url}")
    assert leaks == [], "\n".join(leaks)
    assert {name: _decision(item) for name, item in items.items()} == decided
    assert _tenant_snapshot(b) == before

"""Reads for the shell: the dashboard summary and the built-in tiles."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from kopdes.platform.audit.activity import EventView, describe_events
from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.core.regions import lookup_region, region_name
from kopdes.platform.identity.choices import Role
from kopdes.platform.identity.models import RoleAssignment
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.identity.selectors import koperasi_for, oversight_scopes
from kopdes.platform.tenancy.choices import BusinessUnit
from kopdes.platform.web.navigation import navigation_for
from kopdes.platform.web.tiles import Tile, TileData, register_tile, tiles_for

RECENT_EVENTS = 8


def officer_count(koperasi) -> int:
    """Active officers of ``koperasi`` (everyone with a role there except plain members)."""
    return (
        RoleAssignment.objects.filter(koperasi=koperasi, revoked_at__isnull=True)
        .exclude(role=Role.ANGGOTA)
        .values("user_id")
        .distinct()
        .count()
    )


def _officers_tile(koperasi, roles) -> TileData:
    return TileData(
        figure=str(officer_count(koperasi)),
        label=_("active officers"),
        url=reverse("identity:officer-list", kwargs={"slug": koperasi.slug}),
    )


def place_of(koperasi) -> str:
    """'Sukamaju, Kec. Megamendung, Kabupaten Bogor', or the raw code if it is unknown."""
    try:
        region = lookup_region(koperasi.region_code)
    except ValueError:
        return koperasi.region_code
    return _("%(desa)s, Kec. %(kecamatan)s, %(kabupaten)s") % {
        "desa": region.desa,
        "kecamatan": region.kecamatan,
        "kabupaten": region.kabupaten,
    }


def picker_choices(user) -> list[dict]:
    """The koperasi ``user`` may open, by name, each with its village for the picker."""
    return [{"koperasi": k, "place": place_of(k)} for k in koperasi_for(user).order_by("name")]


REGION_PAGE_SIZE = 30


def region_label(prefix: str) -> str:
    """ "Kabupaten Bogor (32.01)", or "all of Indonesia" for an empty prefix."""
    if not prefix:
        return _("all of Indonesia")
    name = region_name(prefix)
    return f"{name} ({prefix})" if name else prefix


def region_overview(user, *, q: str = "") -> dict:
    """What an oversight role (pendamping, dinas, kementerian, admin) chooses from: the
    koperasi in scope of their region prefixes, by name, filtered by ``q`` (name or
    region code), plus the scopes in plain words. Not paginated here (the view is)."""
    scopes = [
        {"role": Role(role).label, "region": region_label(prefix)}
        for role, prefix in oversight_scopes(user)
    ]
    qs = koperasi_for(user).only("name", "slug", "region_code").order_by("name", "slug")
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(region_code__startswith=q))
    return {"scopes": scopes, "koperasi": qs, "q": q}


def region_rows(koperasi_page) -> list[dict]:
    """One row per koperasi of a page: the koperasi, its village and its region code."""
    return [{"koperasi": k, "place": place_of(k)} for k in koperasi_page]


def _business_units_tile(koperasi, roles) -> TileData:
    labels = dict(BusinessUnit.choices)
    units = [str(labels.get(u, u)) for u in koperasi.business_units or []]
    return TileData(figure=str(len(units)), label=_("business units"), note=", ".join(units))


register_tile(Tile("identity.officers", "identity.view_officers", _officers_tile, order=10))
register_tile(Tile("tenancy.units", "tenancy.view_profile", _business_units_tile, order=15))


def recent_events(koperasi, roles) -> list[EventView]:
    """The latest audit events of ``koperasi`` (with plain labels), for roles that may
    read the audit log; nobody else sees who did what."""
    if not has_perm(roles, "audit.view"):
        return []
    events = (
        AuditEvent.objects.filter(koperasi=koperasi)
        .only(
            "at", "actor_label", "action", "role", "koperasi", "object_type", "object_id", "summary"
        )
        .order_by("-seq")[:RECENT_EVENTS]
    )
    # Named, with the object's own name and the amounts in rupiah (activity.py).
    return describe_events(events, details=2)


def dashboard_summary(koperasi, roles) -> dict:
    """Everything the dashboard shows for ``roles`` in ``koperasi``."""
    modules = [
        item for item in navigation_for(koperasi, roles) if item["url_name"] != "web:dashboard"
    ]
    return {
        "modules": modules,
        "tiles": tiles_for(koperasi, roles),
        "recent_events": recent_events(koperasi, roles),
        "role_labels": sorted(Role(r).label for r in roles),
        "place": place_of(koperasi),
    }

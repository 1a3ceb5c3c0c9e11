"""Dashboard tiles: a small registry so any app can put a figure on the dashboard.

An app registers a tile once (in its ``AppConfig.ready``) and web never changes::

    from kopdes.platform.web.tiles import Tile, register_tile

    def _savings_total(koperasi, roles):
        return TileData(figure=format_rupiah(total_savings(koperasi)),
                        label=_("savings held"), url=reverse(...))

    register_tile(Tile("savings.total", "savings.view", _savings_total, order=20))

The ``compute`` function gets the koperasi and the caller's roles and returns a
``TileData`` (or ``None`` to show nothing). It must be a cheap read (a selector): the
dashboard is the most visited page. A tile that raises is logged and left out, so one
broken app cannot take the whole dashboard down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.identity.permissions import has_perm

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TileData:
    """What one tile shows: a big figure, a short label, optionally a link and a note."""

    figure: str
    label: str
    url: str = ""
    note: str = ""
    tone: str = ""  # "", "ok", "warn" or "err": the colour of the figure


@dataclass(frozen=True)
class Tile:
    key: str
    permission: str
    compute: Callable[..., TileData | None]
    order: int = 100


TILES: dict[str, Tile] = {}


def register_tile(tile: Tile) -> Tile:
    """Add (or replace, by key) a tile. Replacing keeps re-imports in tests harmless."""
    TILES[tile.key] = tile
    return tile


def data_version(koperasi) -> int:
    """The koperasi's last audit sequence number: it moves whenever any service writes.

    Every write in kopdes goes through a service that appends to the koperasi's audit
    chain, so tile figures cached under this version are never stale; one indexed lookup
    replaces a dozen aggregates on the most visited page.
    """
    seq = (
        AuditEvent.objects.filter(chain=str(koperasi.pk))
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return seq or 0


def tiles_for(koperasi, roles) -> list[TileData]:
    """The tiles ``roles`` may see in ``koperasi``, in ``order`` (cached per data version)."""
    # The date is in the key because some figures (arrears, dues) change with the day alone.
    key = "tiles:{}:{}:{}:{}:{}".format(
        koperasi.pk,
        data_version(koperasi),
        timezone.localdate().isoformat(),
        get_language(),
        ",".join(sorted(map(str, roles))),
    )
    shown = cache.get(key)
    if shown is None:
        shown = _compute_tiles(koperasi, roles)
        cache.set(key, shown, timeout=300)
    return shown


def _compute_tiles(koperasi, roles) -> list[TileData]:
    shown: list[TileData] = []
    for tile in sorted(TILES.values(), key=lambda t: (t.order, t.key)):
        if not has_perm(roles, tile.permission):
            continue
        try:
            data = tile.compute(koperasi, roles)
        except Exception:  # one broken tile must not break the dashboard
            logger.exception("dashboard tile %s failed", tile.key)
            continue
        if data is not None:
            shown.append(data)
    return shown

"""The menu, by role: one list, filtered by the permission matrix.

Apps add their entries to ``NAV`` (label, URL name taking ``slug``, permission code,
icon). ``icon`` names a symbol in ``web/static/web/icons.svg`` (``ICONS`` lists them);
anything else is shown as text. Emoji are avoided: many laptops lack an emoji font.
``badge(koperasi, user, roles) -> int``, when given, is a count shown next to the label
(the approvals inbox: what waits for her decision); it runs only for a user who may open
the entry, and only when ``navigation_for`` is given the user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kopdes.platform.identity.permissions import has_perm


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    permission: str
    icon: str = ""
    badge: Callable[..., int] | None = None


def _approvals_waiting(koperasi, user, roles) -> int:
    from kopdes.platform.approvals import registry

    return registry.count(koperasi, user, roles)


# The symbols in web/static/web/icons.svg.
ICONS = frozenset(
    {
        "home", "building", "users", "user", "search", "book", "wallet", "coins", "loan",
        "cart", "chart", "file", "settings", "shield", "clipboard", "switch", "calendar",
        "map", "store", "menu", "printer",
    }
)  # fmt: skip

NAV: list[NavEntry] = [
    NavEntry(_("Home"), "web:dashboard", "web.view_dashboard", "home"),
    NavEntry(_("Approvals"), "approvals:inbox", "approvals.view", "clipboard", _approvals_waiting),
    NavEntry(_("Koperasi profile"), "tenancy:profile", "tenancy.view_profile", "building"),
    NavEntry(_("Officers"), "identity:officer-list", "identity.view_officers", "users"),
    NavEntry(_("Members"), "members:member-list", "members.view", "users"),
    NavEntry(_("My membership"), "portal:home", "members.portal", "user"),
    NavEntry(_("Savings"), "savings:home", "savings.view", "wallet"),
    NavEntry(_("Bookkeeping"), "ledger:home", "ledger.view", "book"),
    NavEntry(_("Reports"), "ledger:statement-position", "ledger.view", "chart"),
    NavEntry(_("Loans"), "loans:home", "loans.view", "loan"),
    NavEntry(_("Store"), "store:catalog", "store.view", "store"),
    NavEntry(_("Point of sale"), "store:pos", "store.sell", "cart"),
    NavEntry(_("Stock and opname"), "store:stock-count-list", "store.view", "clipboard"),
    NavEntry(_("Village pharmacy"), "pharmacy:home", "pharmacy.view", "clipboard"),
    NavEntry(_("Cash shifts"), "store:shift-list", "store.view_shifts", "coins"),
    NavEntry(_("Store reports"), "store:report-index", "store.view_reports", "chart"),
    NavEntry(_("Consignment (titip jual)"), "consignment:overview", "consignment.view", "store"),
    NavEntry(_("Subsidised goods"), "subsidy:overview", "subsidy.view", "cart"),
    NavEntry(_("Purchasing"), "purchasing:order-list", "purchasing.view", "clipboard"),
    NavEntry(_("My loans"), "loans_portal:home", "members.portal", "loan"),
    NavEntry(_("Audit log"), "audit:event-list", "audit.view", "shield"),
]


def navigation_for(koperasi, roles, user=None) -> list[dict]:
    """The menu entries ``roles`` may open in ``koperasi``, in ``NAV`` order; with
    ``user``, each entry's ``badge`` count (0 without)."""
    items = []
    for entry in NAV:
        if not has_perm(roles, entry.permission):
            continue
        url = reverse(entry.url_name, kwargs={"slug": koperasi.slug})
        items.append(
            {
                "label": entry.label,
                "url": url,
                "icon": entry.icon,
                "svg_icon": entry.icon in ICONS,
                "url_name": entry.url_name,
                "badge": entry.badge(koperasi, user, roles)
                if entry.badge is not None and user is not None
                else 0,
            }
        )
    return items

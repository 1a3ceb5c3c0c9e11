"""The members' dashboard tile: active members, with candidates and open exits as a note."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from kopdes.members.choices import MemberStatus
from kopdes.members.models import ExitProposal, Member
from kopdes.platform.approvals.models import ProposalState
from kopdes.platform.web.tiles import Tile, TileData, register_tile


def _members(koperasi, roles) -> TileData | None:
    del roles
    counts = Member.objects.filter(koperasi=koperasi).aggregate(
        active=Count("id", filter=Q(status=MemberStatus.ACTIVE)),
        candidates=Count("id", filter=Q(status=MemberStatus.CANDIDATE)),
    )
    exits = ExitProposal.objects.filter(koperasi=koperasi, state=ProposalState.PENDING).count()
    note = _("%(n)d candidates") % {"n": counts["candidates"]}
    if exits:
        note += " · " + _("%(n)d exits to approve") % {"n": exits}
    return TileData(
        figure=f"{counts['active']:,}".replace(",", "."),
        label=_("active members"),
        url=reverse("members:member-list", kwargs={"slug": koperasi.slug}),
        note=note,
        tone="warn" if exits else "",
    )


register_tile(Tile("members.count", "members.view", _members, order=15))

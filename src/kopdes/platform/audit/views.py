"""The audit log pages: a filtered, paginated list and one event in full."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from kopdes.platform.audit import selectors
from kopdes.platform.audit.activity import describe_events
from kopdes.platform.audit.forms import EventFilterForm
from kopdes.platform.tenancy.access import koperasi_view

if TYPE_CHECKING:
    from kopdes.platform.tenancy.requests import KoperasiRequest

PAGE_SIZE = 50


@koperasi_view("audit.view")
def event_list(request: KoperasiRequest) -> HttpResponse:
    koperasi = request.koperasi
    form = EventFilterForm(request.GET or None, actions=selectors.list_actions(koperasi))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = selectors.list_events(
        koperasi,
        action=filters.get("action") or "",
        actor=filters.get("actor") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        obj=filters.get("obj") or "",
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            # Names, objects and rupiah amounts (platform.audit.activity), as on the dashboard.
            "rows": describe_events(page.object_list),
            "query": query.urlencode(),
        },
    )


@koperasi_view("audit.view")
def event_detail(request: KoperasiRequest, event_id: str) -> HttpResponse:
    try:
        pk = uuid.UUID(str(event_id))
    except ValueError as exc:
        raise Http404 from exc
    event = selectors.get_event(request.koperasi, pk)
    (row,) = describe_events([event], details=None)
    return render(request, "audit/event_detail.html", {"event": event, "row": row})

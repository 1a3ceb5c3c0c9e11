from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kopdes.platform.audit.models import AuditEvent
from kopdes.platform.tenancy.access import koperasi_view


@koperasi_view("audit.view")
def event_list(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(koperasi=request.koperasi).order_by("-seq")[:100]
    return render(request, "audit/event_list.html", {"events": events})

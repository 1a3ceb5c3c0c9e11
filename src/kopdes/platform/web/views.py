"""The shell: koperasi picker, dashboard, health check and friendly error pages."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kopdes.platform.identity.selectors import oversees_regions
from kopdes.platform.tenancy.access import koperasi_view, two_factor_redirect
from kopdes.platform.web import selectors

logger = logging.getLogger(__name__)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The koperasi picker; a user with exactly one koperasi goes straight to it. An
    oversight role (pendamping, dinas, kementerian) always gets the list of its region."""
    if (response := two_factor_redirect(request)) is not None:
        return response
    if oversees_regions(request.user):
        return region_list(request)
    choices = selectors.picker_choices(request.user)
    if len(choices) == 1:
        return redirect("web:dashboard", slug=choices[0]["koperasi"].slug)
    return render(request, "web/home.html", {"choices": choices})


def region_list(request: HttpRequest) -> HttpResponse:
    """The koperasi in the caller's region(s): name, village, region code and a link."""
    overview = selectors.region_overview(request.user, q=request.GET.get("q", ""))
    page = Paginator(overview["koperasi"], selectors.REGION_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web/region_list.html",
        {
            "scopes": overview["scopes"],
            "q": overview["q"],
            "page": page,
            "rows": selectors.region_rows(page.object_list),
        },
    )


@koperasi_view("web.view_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    """The koperasi's front page: modules, figures (tiles) and recent activity."""
    context = selectors.dashboard_summary(request.koperasi, request.roles)
    return render(request, "web/dashboard.html", context)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" when the application answers and its database does (for load balancers);
    503 when the database does not, so a balancer takes this node out of service."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("healthz: the database does not answer")
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return render(request, template, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, "web/errors/400.html", 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, "web/errors/403.html", 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form that could not be verified (usually: the page was open too long)."""
    return _error(request, "web/errors/csrf.html", 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, "web/errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request's context processors: whatever broke (the database,
    # a context processor) must not break the error page too.
    body = loader.get_template("web/errors/500.html").render({"plain_error_page": True})
    return HttpResponse(body, status=500)

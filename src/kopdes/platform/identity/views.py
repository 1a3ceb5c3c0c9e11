from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kopdes.platform.tenancy.access import koperasi_view


def two_factor(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # built by the identity work


@koperasi_view("identity.view_officers")
def officer_list(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/officer_list.html", {})

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.regions import lookup_region


@koperasi_view("tenancy.view_profile")
def profile(request: HttpRequest) -> HttpResponse:
    koperasi = request.koperasi
    return render(
        request,
        "tenancy/profile.html",
        {"region": lookup_region(koperasi.region_code), "adart": koperasi.adart},
    )

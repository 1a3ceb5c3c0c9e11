"""Koperasi profile and settings pages: parse the form, call one service, show the result."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kopdes.platform.core.errors import DomainError
from kopdes.platform.identity.permissions import has_perm
from kopdes.platform.tenancy import selectors, services
from kopdes.platform.tenancy.access import koperasi_view
from kopdes.platform.tenancy.forms import MONTHS, AdArtForm, ProfileForm
from kopdes.platform.tenancy.requests import KoperasiRequest


def _source(request: HttpRequest) -> str:
    return getattr(request, "client_address", request.META.get("REMOTE_ADDR", ""))


@koperasi_view("tenancy.view_profile")
def profile(request: KoperasiRequest) -> HttpResponse:
    koperasi = request.koperasi
    roles = request.roles
    return render(
        request,
        "tenancy/profile.html",
        {
            "profile": selectors.get_profile(koperasi),
            "fiscal_month": dict(MONTHS).get(koperasi.fiscal_year_start_month),
            "rat_from": dict(MONTHS).get(koperasi.adart.rat_month_from),
            "rat_to": dict(MONTHS).get(koperasi.adart.rat_month_to),
            "can_edit_profile": has_perm(roles, "tenancy.edit_profile"),
            "can_edit_adart": has_perm(roles, "tenancy.edit_adart"),
        },
    )


@koperasi_view("tenancy.edit_profile")
def profile_edit(request: KoperasiRequest) -> HttpResponse:
    koperasi = request.koperasi
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(koperasi))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_koperasi_profile(
                koperasi, actor=request.user, source_address=_source(request), **form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The koperasi profile has been saved."))
            return redirect("tenancy:profile", slug=koperasi.slug)
    return render(request, "tenancy/profile_form.html", {"form": form})


@koperasi_view("tenancy.edit_adart")
def adart_edit(request: KoperasiRequest) -> HttpResponse:
    koperasi = request.koperasi
    form = AdArtForm(request.POST or None, initial=AdArtForm.initial_for(koperasi.adart))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_adart(
                koperasi,
                actor=request.user,
                adart=form.to_adart_json(),
                source_address=_source(request),
            )
        except DomainError as exc:
            form.add_error(form.field_for_error(exc.field), exc.message)
        else:
            messages.success(request, _("The AD/ART settings have been saved."))
            return redirect("tenancy:profile", slug=koperasi.slug)
    return render(request, "tenancy/adart_form.html", {"form": form})

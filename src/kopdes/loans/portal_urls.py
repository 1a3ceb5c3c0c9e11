"""The member portal's loan pages, mounted at ``/portal/<slug>/pinjaman/``."""

from django.urls import path

from kopdes.loans import portal

app_name = "loans_portal"

urlpatterns = [
    path("", portal.home, name="home"),
    path("ajukan/", portal.apply, name="apply"),
    path("<uuid:loan_id>/", portal.loan_detail, name="loan"),
]

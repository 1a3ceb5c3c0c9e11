"""The approvals inbox, mounted at ``/k/<slug>/persetujuan/`` (namespace ``approvals``)."""

from django.urls import path

from kopdes.platform.approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path(
        "<slug:approval_kind>/<uuid:approval_item_id>/setujui/",
        views.decide,
        {"decision": "approve"},
        name="approve",
    ),
    path(
        "<slug:approval_kind>/<uuid:approval_item_id>/tolak/",
        views.decide,
        {"decision": "reject"},
        name="reject",
    ),
]

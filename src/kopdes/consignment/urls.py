from django.urls import path

from kopdes.consignment import views

app_name = "consignment"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("syarat/", views.terms_add, name="terms-add"),
    path("mutasi/", views.movement_add, name="movement-add"),
    path("penitip/<uuid:consignor_id>/", views.settlement, name="settlement"),
    path("penitip/<uuid:consignor_id>/bayar/", views.payout, name="payout"),
]

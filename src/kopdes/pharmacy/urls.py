from django.urls import path

from kopdes.pharmacy import views

app_name = "pharmacy"

urlpatterns = [
    path("", views.home, name="home"),
    path("apoteker/", views.pharmacist, name="pharmacist"),
    path("apoteker/tetapkan/", views.pharmacist_appoint, name="pharmacist-appoint"),
    path("obat/<uuid:item_id>/", views.drug_edit, name="drug-edit"),
    path("terima/", views.receive, name="receive"),
    path("batch/", views.batch_list, name="batch-list"),
    path("batch/<uuid:batch_id>/", views.batch_detail, name="batch-detail"),
    path("sipnap/", views.sipnap, name="sipnap"),
    path("sipnap.xlsx", views.sipnap_export, name="sipnap-export"),
]

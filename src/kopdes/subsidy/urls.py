from django.urls import path

from kopdes.subsidy import views

app_name = "subsidy"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("pengaturan/het/", views.het_add, name="het-add"),
    path("pengaturan/batas/", views.rule_add, name="rule-add"),
    path("pengaturan/musim/", views.season_add, name="season-add"),
    path("pembeli/", views.buyer_list, name="buyer-list"),
    path("pembeli/daftar/", views.buyer_register, name="buyer-register"),
    path("pembeli/<uuid:buyer_id>/", views.buyer_detail, name="buyer-detail"),
    path("pembeli/<uuid:buyer_id>/buka/", views.buyer_reveal, name="buyer-reveal"),
    path("alokasi/", views.allocation_list, name="allocation-list"),
    path("alokasi/impor/", views.allocation_import, name="allocation-import"),
    path("alokasi/impor/templat.xlsx", views.allocation_template, name="allocation-template"),
    path("laporan/lpg.xlsx", views.lpg_register, name="lpg-register"),
    path("laporan/pupuk.xlsx", views.pupuk_report, name="pupuk-report"),
    path("laporan/sphp.xlsx", views.sphp_report, name="sphp-report"),
]

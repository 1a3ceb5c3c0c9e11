from django.urls import path

from kopdes.members import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="member-list"),
    path("daftar/", views.member_register, name="member-register"),
    path("pindai/", views.card_lookup, name="card-lookup"),
    path("impor/", views.member_import, name="member-import"),
    path("impor/templat.xlsx", views.member_import_template, name="member-import-template"),
    path("<uuid:member_id>/", views.member_detail, name="member-detail"),
    path("<uuid:member_id>/buka/", views.member_reveal, name="member-reveal"),
    path("<uuid:member_id>/ktp/", views.member_ktp, name="member-ktp"),
    path("<uuid:member_id>/kartu.pdf", views.member_card, name="member-card"),
    path("<uuid:member_id>/keluar/", views.member_exit, name="member-exit"),
    path("<uuid:member_id>/kode-portal/", views.member_portal_code, name="member-portal-code"),
    path("<uuid:member_id>/ekspor/", views.member_export, name="member-export"),
    path("<uuid:member_id>/permintaan/", views.member_request, name="member-request"),
    path("<uuid:member_id>/koreksi/", views.member_correct, name="member-correct"),
    path("<uuid:member_id>/anonimkan/", views.member_anonymise, name="member-anonymise"),
]

from django.urls import path

from kopdes.savings import views

app_name = "savings"
urlpatterns = [
    path("", views.home, name="home"),
    path("anggota/<uuid:member_id>/", views.member, name="member"),
    path("anggota/<uuid:member_id>/buka/", views.account_open, name="account-open"),
    path("anggota/<uuid:member_id>/setor/", views.teller, {"op": "deposit"}, name="deposit"),
    path("anggota/<uuid:member_id>/tarik/", views.teller, {"op": "withdraw"}, name="withdraw"),
    path("anggota/<uuid:member_id>/pindah/", views.transfer, name="transfer"),
    path("anggota/<uuid:member_id>/pokok/", views.pay_principal, name="principal"),
    path("anggota/<uuid:member_id>/berjangka/", views.term_place, name="term-place"),
    path(
        "anggota/<uuid:member_id>/rekening-koran/", views.member_statement, name="member-statement"
    ),
    path("rekening/<uuid:savings_account_id>/", views.account, name="account"),
    path("rekening/<uuid:savings_account_id>/buku/", views.passbook, name="passbook"),
    path("rekening/<uuid:savings_account_id>/cairkan/", views.term_close, name="term-close"),
    path("bukti/<uuid:transaction_id>/", views.receipt, name="receipt"),
    path("persetujuan/", views.approval_list, name="approval-list"),
    path("bukti/<uuid:transaction_id>/koreksi/", views.correction_request, name="correction"),
    path("koreksi/", views.corrections, name="corrections"),
    path("jasa/", views.jasa, name="jasa"),
    path("tunggakan-wajib/", views.arrears, name="arrears"),
    path("saldo-awal/", views.opening_import, name="opening-import"),
    path("saldo-awal/template.xlsx", views.opening_template, name="opening-template"),
]

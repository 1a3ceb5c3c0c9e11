from django.urls import path

from kopdes.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.home, name="home"),
    path("jurnal/", views.entry_list, name="entry-list"),
    path("jurnal/baru/", views.entry_create, name="entry-create"),
    path("jurnal/cek-seimbang/", views.balance_preview, name="balance-preview"),
    path("jurnal/<uuid:entry_id>/", views.entry_detail, name="entry-detail"),
    path("jurnal/<uuid:entry_id>/batalkan/", views.reversal_propose, name="reversal-propose"),
    path("jurnal/<uuid:entry_id>/lampiran/", views.attachment_add, name="attachment-add"),
    path("lampiran/<uuid:attachment_id>/", views.attachment_download, name="attachment-download"),
    path("jurnal/usulan/", views.entry_proposal_list, name="entry-proposal-list"),
    path("periode/", views.period_list, name="period-list"),
    path("akun/", views.account_list, name="account-list"),
    path("akun/<uuid:account_id>/", views.account_ledger, name="account-ledger"),
    path("buku-kas/", views.cash_book, name="cash-book"),
    path("buku-bank/", views.bank_book, name="bank-book"),
    path("neraca-saldo/", views.trial_balance, name="trial-balance"),
    path("laporan/neraca/", views.statement_position, name="statement-position"),
    path("laporan/shu/", views.statement_income, name="statement-income"),
    path("laporan/arus-kas/", views.statement_cash_flows, name="statement-cash-flows"),
    path("laporan/perubahan-ekuitas/", views.statement_equity, name="statement-equity"),
    path("saldo-awal/", views.opening_import, name="opening-import"),
    path("saldo-awal/template.xlsx", views.opening_template, name="opening-template"),
]

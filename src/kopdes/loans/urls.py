"""Loan pages, mounted at ``/k/<slug>/pinjaman/`` (namespace ``loans``)."""

from django.urls import path

from kopdes.loans import views

app_name = "loans"

urlpatterns = [
    path("", views.home, name="home"),
    path("daftar/", views.loan_list, name="loan-list"),
    path("produk/", views.product_list, name="product-list"),
    path("produk/<uuid:product_id>/", views.product_detail, name="product-detail"),
    path("ajukan/", views.loan_apply, name="loan-apply"),
    path("tagihan/", views.collection_list, name="collection-list"),
    path("harian/", views.daily_run, name="daily-run"),
    path("usulan/", views.proposal_list, name="proposal-list"),
    path("kerabat/", views.relationship_list, name="relationship-list"),
    path("laporan/portofolio/", views.report_portfolio, name="report-portfolio"),
    path("laporan/umur/", views.report_aging, name="report-aging"),
    path("laporan/bulanan/", views.report_monthly, name="report-monthly"),
    path("utang-bank/", views.bank_loan_list, name="bank-loan-list"),
    path("utang-bank/<uuid:bank_loan_id>/", views.bank_loan_detail, name="bank-loan-detail"),
    path("bayar/<uuid:repayment_id>/struk/", views.repayment_receipt, name="repayment-receipt"),
    path("bayar/<uuid:repayment_id>/koreksi/", views.repayment_reverse, name="repayment-reverse"),
    path("<uuid:loan_id>/", views.loan_detail, name="loan-detail"),
    path("<uuid:loan_id>/cairkan/", views.loan_disburse, name="loan-disburse"),
    path("<uuid:loan_id>/perjanjian/", views.loan_agreement, name="loan-agreement"),
    path("<uuid:loan_id>/bayar/", views.loan_repay, name="loan-repay"),
    path("<uuid:loan_id>/qris/", views.loan_qris, name="loan-qris"),
    path("<uuid:loan_id>/rekening/", views.loan_statement, name="loan-statement"),
    path("<uuid:loan_id>/restrukturisasi/", views.loan_restructure, name="loan-restructure"),
    path("<uuid:loan_id>/hapus-buku/", views.loan_write_off, name="loan-write-off"),
    path("<uuid:loan_id>/pemulihan/", views.loan_recovery, name="loan-recovery"),
]

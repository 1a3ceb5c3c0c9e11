from django.urls import path

from kopdes.purchasing import views

app_name = "purchasing"

urlpatterns = [
    path("", views.order_list, name="order-list"),
    path("pesanan/baru/", views.order_create, name="order-create"),
    path("pesanan/<uuid:order_id>/", views.order_detail, name="order-detail"),
    path("pesanan/<uuid:order_id>/kirim/", views.order_place, name="order-place"),
    path("pesanan/<uuid:order_id>/batal/", views.order_cancel, name="order-cancel"),
    path("pesanan/<uuid:order_id>/terima/", views.order_receive, name="order-receive"),
    path("penerimaan/<uuid:receipt_id>/", views.receipt_detail, name="receipt-detail"),
    path("utang/", views.payables, name="payables"),
    path("utang/<uuid:supplier_id>/bayar/", views.supplier_pay, name="supplier-pay"),
    path("panen/", views.harvest_list, name="harvest-list"),
    path("panen/beli/", views.harvest_buy, name="harvest-buy"),
    path("panen/syarat/", views.harvest_terms, name="harvest-terms"),
    path("panen/<uuid:purchase_id>/", views.harvest_receipt, name="harvest-receipt"),
]

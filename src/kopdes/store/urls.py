from django.urls import path

from kopdes.store import pos, views

app_name = "store"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("barang/baru/", views.item_create, name="item-create"),
    path("barang/<uuid:item_id>/", views.item_edit, name="item-edit"),
    path("barang/<uuid:item_id>/status/", views.item_active, name="item-active"),
    path("katalog.xlsx", views.catalog_export, name="catalog-export"),
    path("impor/", views.catalog_import, name="catalog-import"),
    path("impor/templat.xlsx", views.catalog_template, name="catalog-template"),
    path("pemasok/", views.supplier_list, name="supplier-list"),
    path("pemasok/baru/", views.supplier_create, name="supplier-create"),
    path("pemasok/<uuid:supplier_id>/buka/", views.supplier_reveal, name="supplier-reveal"),
    path("unit/", views.unit_list, name="unit-list"),
    path("unit/aktifkan/", views.unit_enable, name="unit-enable"),
    path("unit/<uuid:business_unit_id>/nonaktifkan/", views.unit_disable, name="unit-disable"),
    path("kasir/", pos.pos, name="pos"),
    path("kasir/bayar/", pos.pos_pay, name="pos-pay"),
    path("kasir/struk/<uuid:sale_id>/", pos.receipt, name="receipt"),
]

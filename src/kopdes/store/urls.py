from django.urls import path

from kopdes.store import pos, report_views, return_views, shift_views, stock_views, views

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
    path("kasir/bon/", pos.bon_repay, name="bon-repay"),
    path("kasir/struk/<uuid:sale_id>/", pos.receipt, name="receipt"),
    # Cash shifts, voids and returns (issue 15 sections 4 and 2).
    path("shift/", shift_views.shift, name="shift"),
    path("shift/daftar/", shift_views.shift_list, name="shift-list"),
    path("shift/<uuid:shift_id>/tutup/", shift_views.shift_close, name="shift-close"),
    path("penjualan/", return_views.sale_find, name="sale-find"),
    path("penjualan/<uuid:sale_id>/", return_views.sale_detail, name="sale-detail"),
    path("penjualan/<uuid:sale_id>/retur/", return_views.sale_return, name="sale-return"),
    # Stock opname, transfers, low stock and valuation (issue 15 section 4; stock_views).
    path("opname/", stock_views.stock_count_list, name="stock-count-list"),
    path("opname/mulai/", stock_views.stock_count_start, name="stock-count-start"),
    path("opname/<uuid:stock_count_id>/", stock_views.stock_count, name="stock-count"),
    path(
        "opname/<uuid:stock_count_id>/ajukan/",
        stock_views.stock_count_submit,
        name="stock-count-submit",
    ),
    path(
        "opname/<uuid:stock_count_id>/batal/",
        stock_views.stock_count_cancel,
        name="stock-count-cancel",
    ),
    path("stok/pindah/", stock_views.transfer, name="transfer"),
    path("stok/menipis/", stock_views.low_stock, name="low-stock"),
    path("stok/nilai/", stock_views.stock_valuation, name="stock-valuation"),
    # Reports (issue 15 section 7): the index and the sales reports (page, ?format=pdf|xlsx).
    path("laporan/", report_views.index, name="report-index"),
    path("laporan/penjualan/", report_views.sales_daily, name="report-sales-daily"),
    path("laporan/penjualan/barang/", report_views.sales_by_item, name="report-sales-item"),
    path(
        "laporan/penjualan/kategori/",
        report_views.sales_by_category,
        name="report-sales-category",
    ),
    path("laporan/penjualan/unit/", report_views.sales_by_unit, name="report-sales-unit"),
    path("laporan/penjualan/anggota/", report_views.sales_by_member, name="report-sales-member"),
    path(
        "laporan/penjualan/pembayaran/",
        report_views.sales_by_payment,
        name="report-sales-payment",
    ),
]

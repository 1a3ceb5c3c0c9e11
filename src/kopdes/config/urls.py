"""URL map. Koperasi pages live under /k/<slug>/; each app owns its own urls.py."""

from django.urls import include, path
from django.views.i18n import set_language

from kopdes.config.api import api
from kopdes.platform.identity import urls as identity_urls
from kopdes.platform.tenancy import officers
from kopdes.platform.tenancy.villages import village_search

urlpatterns = [
    path("", include("kopdes.platform.web.urls")),
    # The officer pages sit in tenancy (behind the tenant gate) with identity's URL names.
    path("", include((identity_urls.urlpatterns + officers.urlpatterns, "identity"))),
    path("k/<slug:slug>/koperasi/", include("kopdes.platform.tenancy.urls")),
    path("k/<slug:slug>/audit/", include("kopdes.platform.audit.urls")),
    path("k/<slug:slug>/persetujuan/", include("kopdes.platform.approvals.urls")),
    path("k/<slug:slug>/buku/", include("kopdes.ledger.urls")),
    path("k/<slug:slug>/pinjaman/", include("kopdes.loans.urls")),
    path("portal/<slug:slug>/pinjaman/", include("kopdes.loans.portal_urls")),
    path("k/<slug:slug>/simpanan/", include("kopdes.savings.urls")),
    path("k/<slug:slug>/anggota/", include("kopdes.members.urls")),
    # Before the store's include: /toko/subsidi/ belongs to the subsidised channels.
    path("k/<slug:slug>/toko/subsidi/", include("kopdes.subsidy.urls")),
    # Before the store's include: /toko/pembelian/ belongs to purchasing.
    path("k/<slug:slug>/toko/pembelian/", include("kopdes.purchasing.urls")),
    # Before the store's include: /toko/apotek/ belongs to the apotek desa.
    path("k/<slug:slug>/toko/apotek/", include("kopdes.pharmacy.urls")),
    # Before the store's include: /toko/titip/ belongs to consignment (titip jual).
    path("k/<slug:slug>/toko/titip/", include("kopdes.consignment.urls")),
    path("k/<slug:slug>/toko/", include("kopdes.store.urls")),
    path("portal/", include("kopdes.members.portal_urls")),
    path("wilayah/desa/", village_search, name="village-search"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
]

handler400 = "kopdes.platform.web.views.bad_request"
handler403 = "kopdes.platform.web.views.permission_denied"
handler404 = "kopdes.platform.web.views.page_not_found"
handler500 = "kopdes.platform.web.views.server_error"

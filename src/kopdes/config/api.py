"""The JSON API root (django-ninja). OpenAPI at /api/docs. Apps add their routers here."""

from __future__ import annotations

from ninja import NinjaAPI

from kopdes.ledger.api import router as ledger_router
from kopdes.loans.api import router as loans_router
from kopdes.members.api import router as members_router
from kopdes.platform.core.api_errors import install_error_handlers
from kopdes.platform.identity.api import ApiTokenAuth
from kopdes.platform.identity.api import router as identity_router
from kopdes.platform.tenancy.api import router as tenancy_router
from kopdes.savings.api import router as savings_router
from kopdes.store.api import router as store_router

api = NinjaAPI(
    title="kopdes API",
    version="1",
    description="API koperasi desa. Token: header `Authorization: Bearer <token>`.",
    auth=ApiTokenAuth(),
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", identity_router)
api.add_router("/k/{slug}/", tenancy_router)
api.add_router("/k/{slug}/ledger/", ledger_router)
api.add_router("/k/{slug}/savings/", savings_router)
api.add_router("/k/{slug}/", members_router)
api.add_router("/k/{slug}/", loans_router)
api.add_router("/k/{slug}/", store_router)

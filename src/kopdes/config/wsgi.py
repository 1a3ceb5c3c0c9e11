import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopdes.config.settings")
application = get_wsgi_application()

# Load every view now, then take what is loaded (it lives as long as the worker) out of
# the garbage collector's sight: a full collection then scans only the young objects of
# the request, not the whole loaded code, so its pause stays short. A pause taken while
# the koperasi's ledger lock is held is one every other teller waits out (figures:
# bench/RESULTS.md).
get_resolver().url_patterns  # noqa: B018 (imports the URLconf and its views)
gc.freeze()

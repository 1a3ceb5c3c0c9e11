"""Django settings for kopdes.

Everything that differs between a laptop, CI and the central server comes from the
environment: ``DATABASE_URL`` (default: SQLite at ``var/kopdes.sqlite3``), ``KOPDES_ENV``
(``development`` or ``production``), ``KOPDES_NODE`` (``laptop`` or ``central``),
``KOPDES_VAR_DIR``, ``KOPDES_ALLOWED_HOSTS``. Secrets are generated once into ``var/``
with 0600 permissions unless ``KOPDES_SECRET_KEY`` / ``KOPDES_DATA_KEY`` are given.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kopdes.platform.core.secrets import load_or_create_secret

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("KOPDES_VAR_DIR", PROJECT_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENV = os.environ.get("KOPDES_ENV", "development")
PRODUCTION = ENV == "production"
NODE = os.environ.get("KOPDES_NODE", "laptop")
# Off unless asked for: `kopdes serve --dev` / `kopdes demo --dev` set KOPDES_DEBUG=1
# (kopdes.cli). Debug pages list the URL map and show tracebacks with local variables.
DEBUG = os.environ.get("KOPDES_DEBUG", "0") == "1"
TESTING = os.environ.get("KOPDES_TESTING") == "1"

SECRET_KEY = os.environ.get("KOPDES_SECRET_KEY") or load_or_create_secret(VAR_DIR / "secret_key")
# The key that encrypts personal data at rest; it never lives in the database.
DATA_KEY = os.environ.get("KOPDES_DATA_KEY") or load_or_create_secret(VAR_DIR / "data_key")
# Earlier data keys, comma-separated, still accepted for decryption during a key rotation.
DATA_KEY_OLD = [k for k in os.environ.get("KOPDES_DATA_KEY_OLD", "").split(",") if k.strip()]

ALLOWED_HOSTS = os.environ.get("KOPDES_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("KOPDES_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "kopdes.platform.core",
    "kopdes.platform.tenancy",
    "kopdes.platform.identity",
    "kopdes.platform.audit",
    "kopdes.platform.privacy",
    "kopdes.platform.web",
    "kopdes.platform.approvals",
    "kopdes.ledger",
    "kopdes.loans",
    "kopdes.members",
    "kopdes.savings",
    "kopdes.store",
    "kopdes.pharmacy",
    "kopdes.purchasing",
    "kopdes.subsidy",
    "kopdes.consignment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Pages: Indonesian unless the language switch says English (not Accept-Language).
    "kopdes.platform.web.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A body above DATA_UPLOAD_MAX_MEMORY_SIZE: 413 (JSON under /api/), before any view.
    "kopdes.platform.web.middleware.RequestTooLargeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store on every personal answer (/k/, /portal/, /api/, logged in).
    "kopdes.platform.core.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # One query for the user's role assignments per request instead of one per check
    # (TOTP, page, service, audit label): identity.rolecache. Before any view runs.
    "kopdes.platform.identity.rolecache.RoleMemoMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "kopdes.platform.core.middleware.ClientAddressMiddleware",
    # A posted page form holding a control character: 400 before any view (issue 13).
    "kopdes.platform.core.textguard.TextGuardMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kopdes.config.urls"
WSGI_APPLICATION = "kopdes.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kopdes.platform.web.context_processors.shell",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# SQLite on a laptop must survive a power cut: WAL + synchronous=FULL, and IMMEDIATE
# transactions so a read-then-write never fails half way with "database is locked"
# (select_for_update is a no-op on SQLite). tests/test_durability.py asserts these.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA busy_timeout=10000;"
    # Checkpoints are run by the engine after a commit, outside the writers' queue
    # (kopdes.platform.core.sqlite3); SQLite's own, inside the COMMIT, only past ~16 MB.
    "PRAGMA wal_autocheckpoint=4000;"
)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kopdes.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 60)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend plus a kernel queue for writers (see the module's docstring).
    _db["ENGINE"] = "kopdes.platform.core.sqlite3"
    _db["OPTIONS"] = {
        "init_command": SQLITE_PRAGMAS,
        "transaction_mode": "IMMEDIATE",
        "timeout": 10,
    }
    # ":memory:" spelled out: pytest-django recognises an in-memory test database only by
    # Django's own engine name, and would otherwise invent a file name per xdist worker.
    _db["TEST"] = {"NAME": os.environ.get("KOPDES_TEST_SQLITE") or ":memory:"}
else:
    if _db["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend with a socket health check and opt-in prepared statements for
        # platform.core.rows' batches (see the module).
        _db["ENGINE"] = "kopdes.platform.core.postgresql"
    _db.setdefault("OPTIONS", {})
    _db["CONN_HEALTH_CHECKS"] = True
    # Off by default. Opt in (KOPDES_PG_PREPARE=1) only with a direct connection: the
    # system checks (platform.core.checks) refuse it with a pooler in transaction mode
    # (KOPDES_PG_POOLER=transaction), Django's pool or server_side_binding.
    _db["PREPARE_STATEMENTS"] = os.environ.get("KOPDES_PG_PREPARE", "0") == "1"
    _db["POOLER_MODE"] = os.environ.get("KOPDES_PG_POOLER", "")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Identity and security --------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Tests create many users; a cheap hasher keeps the suite fast. Production never sets it.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "identity:login"

SESSION_COOKIE_AGE = int(os.environ.get("KOPDES_SESSION_SECONDS", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A form sent after the session expired gets a plain Indonesian page, not Django's own.
CSRF_FAILURE_VIEW = "kopdes.platform.web.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("KOPDES_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# django-axes: five wrong passwords for one username from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("KOPDES_LOCKOUT_LIMIT", 5))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "identity/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "kopdes"
OTP_TOTP_TOLERANCE = 1

# Content Security Policy: everything is served from this origin, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Language ---------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "kopdes_lang"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates are shown and typed dd-mm-yyyy in both languages (config/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["kopdes.config.formats"]

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No NIK or phone number reaches a log line in clear (reliability T15).
    "filters": {
        "redact_personal_data": {"()": "kopdes.platform.privacy.logging.RedactPersonalData"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_personal_data"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("KOPDES_LOG_LEVEL", "WARNING")},
    "loggers": {
        "axes": {"level": "ERROR"},
        # Django's own console handlers carry no redaction: route them through ours.
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

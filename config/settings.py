"""One settings module, driven by environment variables (SPEC section 3)."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

# Lets the admin classes take their model as a type argument (ModelAdmin[Store]) at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

_DEV_SECRET_KEY = "django-insecure-dev-only-key-do-not-use-in-production"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET_KEY)
# The Makefile's run and test commands set DJANGO_DEBUG=1; anything else is production.
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
]
LOCAL_APPS = [
    "core",
    "accounts",
    "stores",
    "marketplace",
    "catalog",
    "feeds",
    "notifications",
    "dashboard",
    "demo",
]
# django_q comes after marketplace so that marketplace's qcluster command (recovery before start) overrides its own.
INSTALLED_APPS = [*DJANGO_APPS, *THIRD_PARTY_APPS, *LOCAL_APPS, "django_q"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # LocaleMiddleware with the user's saved language first (SPEC 13): it needs the user.
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the views' exceptions first: 503 for an unreachable database or broker.
    "core.errors.ErrorPagesMiddleware",
    # Answers a locked-out login (portal, admin, API token) with core.lockout's 429.
    "axes.middleware.AxesMiddleware",
]

# --- Content-Security-Policy and Permissions-Policy (SPEC 9) ----------------------------
# Every page, the Django admin and the Swagger UI included, runs with scripts and styles
# from our own origin only: no inline script or style (htmx's indicator style is turned
# off in the pages' htmx-config, the Swagger UI's init script is served as a file).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "fullscreen",
        "autoplay",
    )
}

# --- Login throttling (django-axes, SPEC 9) ---------------------------------------------
# Every door authenticates through Django's authenticate(), which the Axes backend guards:
# after AXES_FAILURE_LIMIT failures for one user name, or from one address, that name or
# address is refused for AXES_COOLOFF_TIME. The counters live in the shared cache.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_VERBOSE = False
# The product's own 404 / 500 pages even under DEBUG (make run's demo sets it).
MARKETPLACE_FRIENDLY_ERROR_PAGES = env_bool("MARKETPLACE_FRIENDLY_ERROR_PAGES", False)
# The demo feeds at /demo-feeds/, where seed_demo points the demo store's Quick Fill (make run sets it).
MARKETPLACE_DEMO_FEEDS = env_bool("MARKETPLACE_DEMO_FEEDS", False)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# Seconds a web process keeps its database connection between requests (0: one per request).
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 0))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # A web process and django-q2 workers write at once: WAL lets readers run beside the
    # writer, the busy timeout makes writers wait instead of failing, and IMMEDIATE
    # transactions take the write lock up front so two writers never deadlock on upgrade.
    # A new database gets 16 KB pages (the size counts only before the first table):
    # product rows are about 2 KB, and bigger pages cut an import's page writes and
    # B-tree splits (about 5% faster imports, fresh and unchanged, in `make bench`).
    _db["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so the tests' real qcluster worker process can share the test database.
    # One file per test run (by pid), so concurrent runs never share it.
    _test_db = Path(tempfile.gettempdir()) / f"letzshop-test-{os.getpid()}.sqlite3"
    _db["TEST"] = {"NAME": env_str("DJANGO_TEST_SQLITE_NAME", str(_test_db))}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_HEALTH_CHECKS"] = True
else:
    raise ImproperlyConfigured(f"DATABASE_URL must be sqlite:// or postgres://, not {DATABASE_URL!r}")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# SPEC 13: the portal speaks French, German and English. A user's saved choice comes first,
# then the browser's Accept-Language (accounts.middleware.UserLanguageMiddleware); French when neither says.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Numbers and dates in the page's language, "1.234,50" in French and German, "1,234.50" in
# English (SPEC 13): config/formats/ holds where we differ from Django's own formats.
# USE_THOUSAND_SEPARATOR stays off: it would also group ids and sizes written into URLs,
# data attributes and inputs ("/jobs/1.234/"); counts and prices get their grouping from
# the `count` and `money` filters (core/templatetags/formatting.py).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Luxembourg"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
# Uploaded feeds can be large; Django streams anything above this to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The cap first: past MARKETPLACE_MAX_DOWNLOAD_BYTES no byte reaches memory or disk.
FILE_UPLOAD_HANDLERS = [
    "core.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security (production values unless DEBUG) ------------------------------------------
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST API --------------------------------------------------------------------------
# A DRF rate ("30/min", "100/hour"); DRF would only choke on a bad one at the first import.
_IMPORT_THROTTLE = env_str("MARKETPLACE_IMPORT_THROTTLE", "30/min")
if not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", _IMPORT_THROTTLE):
    raise ImproperlyConfigured(f"MARKETPLACE_IMPORT_THROTTLE must look like 30/min, not {_IMPORT_THROTTLE!r}.")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's, plus the store claims checked against the database on every request.
        "accounts.api.authentication.StoreJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"import_create": _IMPORT_THROTTLE},
    "EXCEPTION_HANDLER": "core.api.exception_handlers.exception_handler",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Letzshop product import API",
    "DESCRIPTION": "Import Letzshop (Google Shopping) product feeds, follow the jobs, publish products.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two models have a Status (and two fields a scope): name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "ImportJobStatusEnum": "marketplace.models.MarketplaceImportJob.Status",
        "BulkActionStatusEnum": "catalog.models.CatalogBulkAction.Status",
        "BulkActionScopeEnum": "catalog.models.CatalogBulkAction.Scope",
        "JobPublishScopeEnum": ["all", "changed"],
        "LanguageEnum": "stores.models.Language",
    },
}

# --- Background jobs (django-q2) and the shared cache -----------------------------------
REDIS_URL = env_str("REDIS_URL", "")
# Shared by every gunicorn worker and host, so throttles count once (SPEC 9): Redis when
# there is one, else a table of the database (`manage.py createcachetable`, run by the
# Makefile's migrate step and by Django's test set-up).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "letzshop",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}}
# timeout stays below retry: a task is handed out again only after its worker gave up.
Q_CLUSTER: dict[str, object] = {
    "name": "marketplace",
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    "timeout": env_int("Q_TIMEOUT", 3600, minimum=10),
    "retry": env_int("Q_TIMEOUT", 3600, minimum=10) + 300,
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 1000,
    "poll": 1,
    "label": "Background tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Marketplace import ----------------------------------------------------------------
MARKETPLACE_FETCH_ALLOWED_HOSTS = env_list("MARKETPLACE_FETCH_ALLOWED_HOSTS", "")
MARKETPLACE_MAX_DOWNLOAD_BYTES = env_int("MARKETPLACE_MAX_DOWNLOAD_BYTES", 536870912, minimum=1)
MARKETPLACE_FETCH_TIMEOUT = env_int("MARKETPLACE_FETCH_TIMEOUT", 30, minimum=1)
# Wall-clock limit of one download, on top of the per-read timeout.
MARKETPLACE_FETCH_DEADLINE = env_int("MARKETPLACE_FETCH_DEADLINE", 1800, minimum=1)
MARKETPLACE_STALE_JOB_SECONDS = env_int("MARKETPLACE_STALE_JOB_SECONDS", 600, minimum=30)
# Feed membership (which products each import's feed contained) is kept for the newest this
# many imports of each store and language; "publish all from this import" needs it.
MARKETPLACE_FEED_MEMBERSHIP_KEEP = env_int("MARKETPLACE_FEED_MEMBERSHIP_KEEP", 10, minimum=1)
MARKETPLACE_MAX_ATTEMPTS = env_int("MARKETPLACE_MAX_ATTEMPTS", 3, minimum=1)
# Read and normalize the feed in a forked reader process beside the import (two cores at
# work instead of one); off: everything in the importing process.
MARKETPLACE_IMPORT_READER_PROCESS = env_bool("MARKETPLACE_IMPORT_READER_PROCESS", hasattr(os, "fork"))
# Feed sync (SPEC 11): the dispatcher's jitter, when a feed is stale, when it pauses itself.
MARKETPLACE_FEED_JITTER_SECONDS = env_int("MARKETPLACE_FEED_JITTER_SECONDS", 60)
MARKETPLACE_FEED_STALE_HOURS = env_int("MARKETPLACE_FEED_STALE_HOURS", 48)
MARKETPLACE_FEED_PAUSE_AFTER = env_int("MARKETPLACE_FEED_PAUSE_AFTER", 5)
MARKETPLACE_UPLOAD_DIR = MEDIA_ROOT / "feeds"
# Downloads in progress; the recovery deletes the files a killed worker left behind.
MARKETPLACE_DOWNLOAD_DIR = MEDIA_ROOT / "downloads"
# A pending job handed to the broker longer ago than this is handed over again (its task
# may be lost); a duplicate delivery is harmless, the claim being conditional.
MARKETPLACE_PENDING_REQUEUE_SECONDS = env_int("MARKETPLACE_PENDING_REQUEUE_SECONDS", 120, minimum=10)
MARKETPLACE_PORTAL_REFRESH_SECONDS = env_int("MARKETPLACE_PORTAL_REFRESH_SECONDS", 10, minimum=1)
# Publishing or unpublishing more products than this runs as a background task with a
# progress page (202 from the API); up to it, in the request (200), as it takes well under a second.
MARKETPLACE_PUBLISH_SYNC_LIMIT = env_int("MARKETPLACE_PUBLISH_SYNC_LIMIT", 5000, minimum=0)

# --- Email (SPEC 12) --------------------------------------------------------------------
# SMTP from the environment; `make run` sets the console backend. The notifications send
# from a django-q2 task, so a slow or absent SMTP server never holds an import or a page.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS, port 587) or EMAIL_USE_SSL (port 465), not both.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
# The absolute address the emails link to. Unset: the development server locally, and in
# production https:// and the first DJANGO_ALLOWED_HOSTS name (the one the site answers on).
_site_host = next((host.lstrip(".") for host in ALLOWED_HOSTS if host != "*"), "localhost")
SITE_URL = env_str("SITE_URL", "http://localhost:8000" if DEBUG else f"https://{_site_host}").rstrip("/")
if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", SITE_URL):
    raise ImproperlyConfigured(f"SITE_URL must be an http:// or https:// address, not {SITE_URL!r}")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"Letzshop import <noreply@{_site_host}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Repeats of one kind of email for one store and feed within this many seconds are folded
# into the next email ("and 3 more since ...") instead of sent.
NOTIFICATION_FOLD_SECONDS = env_int("NOTIFICATION_FOLD_SECONDS", 3600)

# --- Logging ---------------------------------------------------------------------------
LOG_DIR = Path(env_str("DJANGO_LOG_DIR", str(BASE_DIR / "logs")))
LOG_DIR.mkdir(parents=True, exist_ok=True)
LOG_FILE = LOG_DIR / "app.log"
LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"job_context": {"()": "core.logging.JobContextFilter"}},
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s [job=%(job_id)s] %(name)s: %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["job_context"],
        },
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(LOG_FILE),
            "maxBytes": 10 * 1024 * 1024,
            "backupCount": 5,
            "encoding": "utf-8",
            "formatter": "line",
            "filters": ["job_context"],
        },
    },
    "root": {"handlers": ["console", "file"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_q": {"level": "INFO"},
    },
}

"""One settings module, read from the environment.

The defaults run the embedded set-up on a laptop with no internet: SQLite and
the in-memory channel layer in one daphne process. ``DATABASE_URL`` and
``REDIS_URL`` switch to PostgreSQL and Redis for several server processes.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# The development key only ever serves DEBUG; production must set SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY") or ("dev-only-insecure-key" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")

# Participants reach a laptop by its LAN address, so the embedded default
# accepts any host. Production lists its hosts, which also makes the websocket
# Origin check meaningful (an "*" turns that check off).
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "*" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "live",
    "workshop",
    "quizzes",
    "sdgmap",
    "qna",
    "slides",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "workshop.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "workshop.root_urls"
ASGI_APPLICATION = "workshop.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    # A connection pool, not persistent connections: under ASGI every HTTP
    # request runs on a thread of its own, so a persistent connection was a
    # new PostgreSQL backend per request, left behind when its thread ended
    # (docs/performance.md). The pool lends each request or socket action a
    # warm connection and takes it back (Django 5.1+, psycopg_pool).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN", 2),
        "max_size": env_int("DATABASE_POOL_MAX", 10),
        # Seconds a request waits for a free connection before it fails.
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 20),
    }
else:
    DATABASES = {
        "default": {
            # Django's own, converting each query's placeholders once (its base.py).
            "ENGINE": "workshop.sqlite",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Kept open: the process runs its database work on a fixed few
            # threads (the sockets' database thread, HTTP_THREADS below), one
            # connection each. A thread per request kept one per request.
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # IMMEDIATE takes the write lock up front: measured, 40
                # concurrent read-then-write transactions all succeed, where
                # DEFERRED failed 37 of them with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Threads that run HTTP requests (workshop/http_threads.py). 0: the process's
# one database thread, shared with the sockets: right for SQLite, which takes
# one writer at a time. PostgreSQL serves several at once, but more threads
# fight for one GIL: in a join storm of 2,000 on two processes, 4 threads
# gave a p95 of 13.7 s, 2 threads 8.5 s and 1 thread 3.8-10.1 s, and 2 keep
# one free while a slow request (a report, an upload) runs
# (docs/performance.md). Keep it below DATABASE_POOL_MAX, which the sockets'
# database thread draws on too.
HTTP_THREADS = env_int("HTTP_THREADS", 2 if DATABASE_URL else 0)

# --- Channels and cache ----------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
# Keys of the channel layer and the cache start with this: several
# deployments (or test runs) can share one Redis.
REDIS_PREFIX = env_str("REDIS_PREFIX", "workshop")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # socket_timeout=None: redis-py's 5 s default equals the
                # layer's 5 s blocking read and closes idle sockets (1011).
                "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 1000}],
                "prefix": REDIS_PREFIX,
                "capacity": 1000,
                "expiry": 30,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
            # Not a connection per request (workshop/cache_pool.py).
            "OPTIONS": {"pool_class": "workshop.cache_pool.SharedConnectionPool"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth ------------------------------------------------------------------

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "workshop:dashboard"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Languages ---------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Brussels")
USE_TZ = True

# --- Static files ------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Served by whitenoise from the app folders in development, from STATIC_ROOT
# in production: no CDN anywhere, so a venue with no internet works.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Uploaded media (slide images) ---------------------------------------------

# On the laptop's disk by default, served by the app itself (slides.views) with
# a year's cache lifetime: `make run` needs nothing more. Several servers share
# one folder (or S3-compatible storage): see docs/deploy.md.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = env_str("MEDIA_URL", "/media/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A deck over either limit is refused whole, before anything is written.
SLIDES_MAX_BYTES = env_int("SLIDES_MAX_MB", 50) * 1024 * 1024
SLIDES_MAX_PAGES = env_int("SLIDES_MAX_PAGES", 300)
# Worker processes that render one deck's pages (PDFium is not thread-safe).
SLIDES_RENDER_WORKERS = env_int("SLIDES_RENDER_WORKERS", 2)
# An upload whose heartbeat (a page rendered) is older than this has lost its
# server: it is shown as failed and no longer blocks a new upload.
SLIDES_UPLOAD_STALE_SECONDS = env_int("SLIDES_UPLOAD_STALE_SECONDS", 90)

# --- Security ----------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send the X-CSRFToken header
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS is on by default in production. A laptop serving a venue's Wi-Fi runs
# DEBUG off but over plain HTTP, with HTTPS=0.
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds a domain and all its subdomains to HTTPS in every
        # browser, for good: only the domain's owner should opt in
        # (SECURE_HSTS_PRELOAD=1). Off by default, so its warning is silenced.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- The product's own settings ------------------------------------------------

# The address participants type or scan. Empty: built from the request's host.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL").rstrip("/")
# Wrong join codes a client may try in JOIN_RATE_WINDOW seconds. A whole venue
# can sit behind one address, so this sits well above any room size.
JOIN_RATE_LIMIT = env_int("JOIN_RATE_LIMIT", 300)
# Addresses of reverse proxies whose X-Forwarded-For is believed, so that the
# limit counts each client, not the proxy (docs/deploy.md). Empty: none is.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
JOIN_RATE_WINDOW = env_int("JOIN_RATE_WINDOW", 600)
# Largest websocket frame a client may send; the consumer closes bigger ones
# with 4009. Daphne runs with a 1 MiB limit because it applies its limit to
# what it sends too, and a large room's control view is more than 64 KiB.
WEBSOCKET_MAX_MESSAGE_BYTES = 64 * 1024
# Largest message the server sends: daphne's --websocket-max-message-size
# (Makefile, docs/deploy.md). A bigger push is logged and replaced (hub.py).
WEBSOCKET_MAX_SEND_BYTES = env_int("WEBSOCKET_MAX_SEND_BYTES", 1024 * 1024)
# Days after a session ends before `manage.py purge_participants` deletes its
# participants' data (the aggregated results stay in the report).
RETENTION_DAYS = env_int("RETENTION_DAYS", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"daphne": {"level": "WARNING"}, "django.channels.server": {"level": "WARNING"}},
}

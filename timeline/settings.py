"""Settings for Timeline, read from the environment.

Development needs no configuration: DEBUG is on and the database is an SQLite file beside manage.py.
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (PostgreSQL through psycopg 3).
"""

import base64
import hashlib
import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# The development defaults below are only acceptable while DEBUG is on: production must say what it wants.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-development-only-key-change-me-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]
else:
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set (50+ characters) when DEBUG is off.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set (comma-separated) when DEBUG is off.")

# The admin's address; moving it off the well-known /admin/ keeps drive-by login attempts away.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured("ADMIN_URL must name a path, e.g. ADMIN_URL=newsroom/.")

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, whose forms it extends with the French fields
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "django_filters",
    "template_partials",
    "ninja",  # serves the API docs page's Swagger UI from static files instead of a CDN
    "import_export",
    "simple_history",
    "csp",
    "corsheaders",
    "axes",
    "timeline",
]

MIDDLEWARE = [
    # First, as django-cors-headers asks: it answers preflight requests before anything else can.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "timeline.middleware.PathAwareCSPMiddleware",  # django-csp's, with the exceptions below
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise, which answers HEAD for static files itself: every view below answers it as GET.
    "timeline.middleware.HeadMiddleware",
    "timeline.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of each response: from its address (/fr/...), and for a first visit the browser's preference.
    "django.middleware.locale.LocaleMiddleware",
    "timeline.languages.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "timeline.urls"
WSGI_APPLICATION = "timeline.wsgi.application"
ASGI_APPLICATION = "timeline.asgi.application"

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
            ],
        },
    },
]

# Unset DATABASE_URL means the zero-setup SQLite file; PostgreSQL is the production database.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout lets concurrent readers and an editor's write wait briefly instead of failing. The file is read
    # through memory mapping and a 64 MB page cache per connection: SQLite's default 2 MB cache re-reads the
    # indexes of a large timeline from the operating system on every query.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, init_command="PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536;"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English at the unprefixed addresses, French under /fr/ (timeline/languages.py). Each language is named in itself,
# as the language switch shows it.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
# One catalog for the templates and the code; its compiled .mo is committed, so no gettext is needed to run the site.
LOCALE_PATHS = [BASE_DIR / "timeline" / "locale"]
# Fields written in both languages (timeline/translation.py): English is the one every record has; a reader of
# French sees the English where the French is not written yet.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# Slugs are made from the English, whatever language the admin is shown in.
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "en"
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
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

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# JSON fixtures and backups keep datetimes to the microsecond, so that a restore is exact (timeline/serializers.py).
SERIALIZATION_MODULES = {"json": "timeline.serializers"}

LOGIN_URL = "admin:login"
# Where a login goes when its `next` is missing or points at another site (Django refuses those): the admin, the
# only place anyone signs in to, rather than Django's /accounts/profile/, which is a 404 here.
LOGIN_REDIRECT_URL = "admin:index"

# Dates as Canadian English writes them: 6 May 2025.
DATE_FORMAT = "j F Y"

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Exported text that a spreadsheet would run as a formula (=HYPERLINK(...)) is written as text instead; the
# formats in timeline/import_formats.py say how, without losing a character of it.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Security. Production (DEBUG=0) gets every protection `manage.py check --deploy` asks for; each can be
# tuned from the environment (see the README's deployment section).

# Behind a reverse proxy that terminates TLS, name the header it sets, e.g. SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto;
# only set it when the proxy always sets or strips that header, or clients could claim HTTPS.
if proxy_ssl_header := os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_ssl_header.upper().replace("-", "_").removeprefix("HTTP_"), "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# The reader's choice of language, kept a year; no script needs to read it.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Pages pass the CSRF token to htmx from the template, so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
# Frames are refused everywhere; the embed view alone lifts this (timeline.security.embeddable).
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): nothing inline, nothing from other hosts. htmx is served from our own
# static files and told not to inject its indicator <style> (see the htmx-config meta tag in base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}


def csp_hash(source: str) -> str:
    """A CSP source that allows exactly this inline attribute text (with 'unsafe-hashes'), and nothing else."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()}'"


# Per-path exceptions for third-party admin templates, each proven by tests/browser/test_csp.py: (regex on the
# path, directives added), allowing only the exact attribute text the template carries, by hash. (The export
# page's inline attributes are gone instead: templates/admin/import_export/export.html overrides it.)
CONTENT_SECURITY_POLICY_PATH_EXCEPTIONS = [
    # django-simple-history's history list: <p class="paginator" style="border-top: 0">.
    (rf"^/{re.escape(ADMIN_URL)}.+/history/", {"style-src-attr": [UNSAFE_HASHES, csp_hash("border-top: 0")]}),
]
# Who may frame the embed view: "*" (any site, the default) or space-separated origins such as
# "https://news.example.com https://*.example.org".
EMBED_FRAME_ANCESTORS = os.environ.get("EMBED_FRAME_ANCESTORS", "*").split()

# Downloads of the filtered timeline (CSV, iCalendar, TimelineJS) hold at most TIMELINE_DOWNLOAD_LIMIT rows each,
# the next ones at ?page=2 and on, so that no request costs much more than a page; at most
# TIMELINE_DOWNLOAD_SLOTS of them are built at once on a server (a cached one costs nothing), the others are asked
# to come back after TIMELINE_DOWNLOAD_RETRY_AFTER seconds, so downloads can never hold every worker. The whole
# dataset is written by `manage.py export_open_data` into TIMELINE_OPEN_DATA_DIR and served from there at
# /export/full/; SITE_URL is the address its links start with.
TIMELINE_DOWNLOAD_LIMIT = int(os.environ.get("TIMELINE_DOWNLOAD_LIMIT", "5000"))
TIMELINE_DOWNLOAD_SLOTS = int(os.environ.get("TIMELINE_DOWNLOAD_SLOTS", "1"))
TIMELINE_DOWNLOAD_RETRY_AFTER = int(os.environ.get("TIMELINE_DOWNLOAD_RETRY_AFTER", "5"))
TIMELINE_OPEN_DATA_DIR = Path(os.environ.get("TIMELINE_OPEN_DATA_DIR", BASE_DIR / "open-data"))
# The slots are lock files (timeline/slots.py) in a folder of their own per site, a site being this code on its
# database: another one on the machine (a test run, a benchmark on another database) never takes this one's slots.
TIMELINE_SITE_KEY = hashlib.sha256(
    "|".join(
        [str(BASE_DIR)] + [str(DATABASES["default"].get(key) or "") for key in ("ENGINE", "HOST", "PORT", "NAME")]
    ).encode()
).hexdigest()[:12]
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/") or (
    "http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
)

# Other sites' scripts may read the open data (API, downloads, feeds) with GET or HEAD, revalidating with ETag: the
# data is public and read-only, and no credentials are sent, so any origin may. Nothing else is shared: not the
# reader's pages, and never the admin.
CORS_URLS_REGEX = r"^/([a-z]{2}/)?(api|export|feeds)/"  # the downloads and feeds in French too (/fr/export/...)
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["if-none-match", "if-modified-since"]  # beyond the headers any request may send
CORS_EXPOSE_HEADERS = ["ETag", "Link", "Content-Disposition", "Retry-After"]

# How long a client is told to wait (Retry-After, seconds) when the database cannot be reached.
DATABASE_UNAVAILABLE_RETRY_AFTER = int(os.environ.get("DATABASE_UNAVAILABLE_RETRY_AFTER", "10"))

# django-axes: after AXES_FAILURE_LIMIT failed admin logins for one username from one address, that pair is
# locked out for AXES_COOLOFF_HOURS. Keying on the pair means an attacker cannot lock a real editor out from
# the editor's own address, while guessing one account's password from one address stops quickly; the address is
# the client's own even behind proxies (TRUSTED_PROXY_COUNT below), so a forged header buys no more guesses.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
# Behind reverse proxies, say how many (TRUSTED_PROXY_COUNT=1 for one nginx): the client's address is then the
# one the outermost of them saw, counted from the right of X-Forwarded-For, where each proxy appends
# (timeline.http.client_ip). Entries a client forges further left are never read.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "timeline.http.client_ip"

# `manage.py bench` sets TIMELINE_BENCH=1 for the server it starts, so that every response reports its SQL query
# count in a header; never set it in production.
if env_bool("TIMELINE_BENCH", False):
    MIDDLEWARE.insert(0, "timeline.benchmarking.QueryCountMiddleware")

# On PostgreSQL, a timeline page's counts are read on a second connection while its events are read
# (timeline/alongside.py): faster pages while the server has a core to spare. TIMELINE_COUNTS_ALONGSIDE=0 reads them
# in turn, for a server whose cores are all busy anyway.
TIMELINE_COUNTS_ALONGSIDE = env_bool("TIMELINE_COUNTS_ALONGSIDE", True)

# Caching of public pages and aggregates, keyed by the data versions (timeline/caching.py); TIMELINE_CACHE=0
# turns the server-side copies off (validators and Cache-Control stay). Browsers and CDNs may keep an anonymous page
# TIMELINE_PUBLIC_MAX_AGE seconds before asking again (a 304 when nothing changed).
TIMELINE_CACHE = env_bool("TIMELINE_CACHE", True)
TIMELINE_CACHE_SECONDS = int(os.environ.get("TIMELINE_CACHE_SECONDS", "3600"))
TIMELINE_PUBLIC_MAX_AGE = int(os.environ.get("TIMELINE_PUBLIC_MAX_AGE", "60"))
# A response larger than this is answered with validators but not kept (a large download would crowd out pages).
TIMELINE_CACHE_MAX_BYTES = int(os.environ.get("TIMELINE_CACHE_MAX_BYTES", str(4 * 1024 * 1024)))


def cache_from_url(url: str) -> dict:
    """A CACHES entry from a URL: redis://[:password@]host:port/db (or rediss://, unix://) for a cache shared by
    every worker and app server, through Django's own Redis backend; locmem:// for memory in each worker."""
    scheme = url.split("://", 1)[0].lower()
    if scheme in ("redis", "rediss", "unix"):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "timeline"),
            # A cache that is down must not take the site with it: the pages are computed instead (see caching.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 500}}
    raise ImproperlyConfigured(f"CACHE_URL must start with redis://, rediss://, unix:// or locmem://, not {scheme}://.")


# Without CACHE_URL each worker process keeps its own copies in memory (zero setup); with Redis, every worker of
# every app server shares them. Either way the data versions in the database keep every copy correct.
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", "locmem://"))}

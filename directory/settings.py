"""Settings come from environment variables. The defaults are safe for production: DEBUG is off
and a SECRET_KEY is required; `make run` turns DEBUG on for development.

See `.env.example` for the full list.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = os.environ.get("SITE_NAME", "Find local care and support")
COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Your council")
# Their Welsh forms, shown on Welsh pages.
SITE_NAME_CY = os.environ.get("SITE_NAME_CY", "Dod o hyd i ofal a chymorth lleol")
COUNCIL_NAME_CY = os.environ.get("COUNCIL_NAME_CY", "Eich cyngor")
COUNCIL_URL = os.environ.get("COUNCIL_URL", "")

INSTALLED_APPS = [
    # Django's admin, discovering every app's admin.py except django-leaflet's (it needs GDAL).
    "directory.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",  # /sitemap.xml: the public pages and every published listing
    "django_filters",
    "leaflet",  # only for its copy of Leaflet's static files
    "auditlog",
    "import_export",
    "axes",
    "csp",
    # Ours, from the bottom layer up (the import contract in pyproject.toml keeps it so).
    "core",
    "places",
    "providers",
    "search",
    "shortlist",
    "reports",
    "portal",
    "registers",
    "workbench",
    "opendata",
    "neighbours",
    "directory",
    # Outside the product: the benchmark commands (nothing above imports it).
    "bench",
]

MIDDLEWARE = [
    # First: a request id for the logs, and a 400 for bodies that cannot be read, before anything
    # (CSRF, sessions, error pages) tries to read them.
    "core.middleware.RequestIdMiddleware",
    "core.middleware.UnreadableBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages and API answers (a results page is about 75 KB, 10 KB gzipped). Below
    # WhiteNoise, which serves static files already compressed, and above everything that
    # writes a body. Django pads each response with random bytes against BREACH. An ETag it
    # compresses becomes weak (W/"..."), which If-None-Match still matches: a 304 as before.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the URL alone (/cy/... is Welsh), never a cookie or browser header,
    # so a page and its address always agree.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who made each change, for the audit trail (after authentication).
    "auditlog.middleware.AuditlogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: locks out repeated failed sign-ins (django-axes).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "directory.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "directory.context_processors.site",
                "directory.context_processors.languages",
                "directory.context_processors.search_engines",
                "shortlist.context_processors.shortlist",
            ],
        },
    },
]

WSGI_APPLICATION = "directory.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'directory.sqlite3'}",
        # A new connection for each request by default: it is what lets a request give up within
        # DB_CONNECT_TIMEOUT when the database hangs (a kept connection would wait on it), and the
        # site recovers as soon as the database does. Measured cost on a 2-core machine with the
        # database on it: about 320 against 200 requests a second (docs/operations.md, "Deploying").
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,  # a connection lost while the database was down is replaced
    )
}
# Give up quickly rather than hang a worker: a database that is down or not answering gives a
# plain 503 page within a few seconds (directory.views.server_error), and the site recovers by
# itself. Long jobs (imports, the benchmark) lift the statement limit for their own transaction.
DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "2"))
DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "10000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DB_CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS} -c lock_timeout=5000",
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 3,
            "keepalives_count": 2,
            "tcp_user_timeout": DB_CONNECT_TIMEOUT * 1000,
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets searches keep reading while a postcode import rewrites the table.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 5  # seconds to wait for another writer
    # A file, not memory, so the live server thread of browser tests shares it; named after the
    # main database so two checkouts or runs with different DATABASE_URLs never collide.
    main_file = Path(DATABASES["default"]["NAME"])
    DATABASES["default"]["TEST"] = {"NAME": str(main_file.with_name(f"test_{main_file.name}"))}


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# Welsh (Cymraeg) pages under /cy/, for councils in Wales (the Welsh Language Standards) and any
# that want it; `make run` and the tests turn it on.
WELSH = env_bool("WELSH", default=False)
LANGUAGES = [("en-gb", "English")] + ([("cy", "Cymraeg")] if WELSH else [])
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "var" / "staticfiles")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# WhiteNoise serves collected static files compressed, with content hashes in their names and a
# year's caching: that needs `collectstatic`, which deploying (and `make serve`) runs. Development
# and the tests use the files where they are (STATIC_MANIFEST=false).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "directory.storage.StaticStorage"
        if env_bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# HTTPS. Behind a proxy that ends TLS, set TRUST_X_FORWARDED_PROTO so Django knows a request was
# secure; SECURE_SSL_REDIRECT can be turned off where the proxy redirects instead (or `make
# serve` on plain http on this machine).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = os.environ.get("REFERRER_POLICY", "strict-origin-when-cross-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Cookies only over HTTPS, bound to this exact host (the __Host- prefix), never read by scripts.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 14 * 24 * 3600  # the shortlist is kept for two weeks
# Django's database sessions, but a session that cannot be read while the database is down is
# empty for that request (never written back), so a form's words still come back to the visitor.
SESSION_ENGINE = "core.sessions"

# Content Security Policy (django-csp): nothing inline, nothing from elsewhere but the map tiles.
# Browsers report anything it blocks to /csp-report/, which logs it.
MAP_TILES_URL_DEFAULT = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

# Built results pages and map data (search.selectors), and each listing's rendered search card.
# By default in each process's memory: a page is 70 KB with 1,000 listings and 230 to 370 KB with
# 100,000 (`benchmark_search` reports page_kb), so 300 pages hold up to 20 MB in a small directory
# and 70 to 110 MB at national scale; 5,000 cards about 15 MB. With several servers, name a Redis
# server in REDIS_URL: every process then shares one cache (built once, not once per process). The
# rate limiters never count there (core.ratelimit): the database keeps their counts through a Redis
# failure. A change to the directory makes every cached page out of date at once; a card is keyed
# by its listing's version.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    _redis = {
        "BACKEND": "core.cache.ForgivingRedisCache",
        "LOCATION": REDIS_URL,
        # A slow or stopped Redis must not hold up pages: they are built without it.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    CACHES = {
        "default": {**_redis, "KEY_PREFIX": "pages"},
        "cards": {**_redis, "KEY_PREFIX": "cards", "TIMEOUT": 24 * 3600},
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_ENTRIES", "300"))},
        },
        "cards": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "cards",
            "TIMEOUT": 24 * 3600,
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CARD_CACHE_ENTRIES", "5000"))},
        },
    }

# GOV.UK Notify (core.notify), for a council that uses it: its API key; the email template whose
# subject is "((subject))" and message "((body))" (set: every email goes through Notify); the text
# template whose message is "((body))" (set: the monthly "taking new clients" question is also
# texted to a listing's UK mobile number). Empty: nothing is sent through Notify. The API's
# address changes only for testing; seconds to wait for its answer.
NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
NOTIFY_EMAIL_TEMPLATE_ID = os.environ.get("NOTIFY_EMAIL_TEMPLATE_ID", "")
NOTIFY_SMS_TEMPLATE_ID = os.environ.get("NOTIFY_SMS_TEMPLATE_ID", "")
NOTIFY_BASE_URL = os.environ.get(
    "NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
).rstrip("/")
NOTIFY_TIMEOUT = int(os.environ.get("NOTIFY_TIMEOUT", "10"))

# Email: every message is written to the outbox table first (core.outbox), then sent through
# this backend; the console in development, GOV.UK Notify with its key and email template, else
# SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "core.notify.NotifyEmailBackend"
    if NOTIFY_API_KEY and NOTIFY_EMAIL_TEMPLATE_ID
    else "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "directory@localhost")
# Where an urgent safety report is sent at once, and the staff's daily digest of the work queue.
SAFEGUARDING_EMAIL = os.environ.get("SAFEGUARDING_EMAIL", "")
STAFF_DIGEST_EMAIL = os.environ.get("STAFF_DIGEST_EMAIL", "")
# Where providers send the council new certificates (named in reminder emails).
COUNCIL_EMAIL = os.environ.get("COUNCIL_EMAIL", "")
# The site's own address, for links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The audit trail (django-auditlog): who changed what, from what to what. No IP addresses.
AUDITLOG_DISABLE_REMOTE_ADDR = True

# CSV import and export (django-import-export): all or nothing, and spreadsheet formulas in
# exported cells are escaped so a name like =HYPERLINK(...) stays text.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True  # the audit trail records the rows themselves
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# Publishing rules: days a listing stays public, with a notice, after one of its four basic
# checks runs out; then `manage.py daily` suspends it.
CHECK_GRACE_DAYS = int(os.environ.get("CHECK_GRACE_DAYS", "28"))
# Searches are counted by district and week in each process and written this often (0: at once).
SEARCH_COUNT_SECONDS = float(os.environ.get("SEARCH_COUNT_SECONDS", "10"))

# Postcode data loaded by `manage.py import_postcodes`.
POSTCODE_IMPORT_BATCH_SIZE = int(os.environ.get("POSTCODE_IMPORT_BATCH_SIZE", "20000"))

# Maps: Leaflet comes from django-leaflet's static files, and django-leaflet's LEAFLET_CONFIG is
# what the results map and a listing's area map are drawn with (`places.geo.map_tiles`): its first
# TILES layer as (name, URL, options), and MAX_ZOOM. An empty MAP_TILES_URL gives no layer, so no
# tiles are drawn (the tests use that); OpenStreetMap refuses tile requests without a Referer,
# which the referrer policy above sends as the site's origin only.
_tiles_url = os.environ.get("MAP_TILES_URL", MAP_TILES_URL_DEFAULT)
_attribution = os.environ.get(
    "MAP_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)
LEAFLET_CONFIG = {
    "TILES": [("Map", _tiles_url, {"attribution": _attribution})] if _tiles_url else [],
    "MAX_ZOOM": int(os.environ.get("MAP_MAX_ZOOM", "16")),
}
_tiles = urlsplit(_tiles_url)
TILE_ORIGINS = [f"{_tiles.scheme}://{_tiles.netloc.replace('{s}', '*')}"] if _tiles.netloc else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *TILE_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": "/csp-report/",
    },
}
# Permissions-Policy: the site's own pages may ask for the visitor's location ("Use my location");
# nothing else, and no embedded page, gets any of these.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(self), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)

# Sign-in protection (django-axes): 5 failed attempts lock that account, and that client, out for
# 30 minutes. Staff see a plain message. Behind a proxy, the client address follows
# TRUST_X_FORWARDED_FOR as the rate limits do.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "core.clients.request_client_ip"
AXES_VERBOSE = False

# "Report a problem": where the public can raise a safeguarding concern with the council, and
# whether to take the client address from X-Forwarded-For (only behind a proxy that sets it).
SAFEGUARDING_URL = os.environ.get("SAFEGUARDING_URL", "")
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", default=False)

# Providers sign in with a one-time link sent by email: how long one lasts, and an invitation
# from staff to claim an existing listing.
SIGN_IN_LINK_MINUTES = int(os.environ.get("SIGN_IN_LINK_MINUTES", "20"))
INVITE_LINK_HOURS = int(os.environ.get("INVITE_LINK_HOURS", "72"))
# Providers say whether they are taking new clients with single-purpose signed links (no sign-in):
# days such a link lasts, and days after a confirmation before the monthly email asks again.
NEW_CLIENTS_LINK_DAYS = int(os.environ.get("NEW_CLIENTS_LINK_DAYS", "14"))
NEW_CLIENTS_ASK_DAYS = int(os.environ.get("NEW_CLIENTS_ASK_DAYS", "30"))

# Search examples on the home page and in error messages. `manage.py check` makes sure both are in
# the loaded data, so nobody is told to type something the search cannot find.
SEARCH_EXAMPLE_POSTCODE = os.environ.get("SEARCH_EXAMPLE_POSTCODE", "CM1 1AE")
SEARCH_EXAMPLE_PLACE = os.environ.get("SEARCH_EXAMPLE_PLACE", "Chelmsford")
# Where to send someone who searches outside the areas listed: GOV.UK's council finder, and any
# neighbouring directories as "Name|https://...;Name|https://...".
FIND_COUNCIL_URL = os.environ.get("FIND_COUNCIL_URL", "https://www.gov.uk/find-local-council")
NEIGHBOUR_DIRECTORIES = [
    tuple(part.strip() for part in item.split("|", 1))
    for item in os.environ.get("NEIGHBOUR_DIRECTORIES", "").split(";")
    if "|" in item
]

# The registers checked every night (`manage.py sync_registers`, run by `manage.py daily`): the
# CQC's public API with a subscription key, and Companies House's with an API key. Without a key
# that register is skipped and nothing is called. Seconds to wait for each answer. Care
# Inspectorate Wales has no API: staff pages link to its register search.
CQC_API_URL = os.environ.get("CQC_API_URL", "https://api.service.cqc.org.uk/public/v1")
CQC_API_KEY = os.environ.get("CQC_API_KEY", "")
COMPANIES_HOUSE_API_URL = os.environ.get(
    "COMPANIES_HOUSE_API_URL", "https://api.company-information.service.gov.uk"
)
COMPANIES_HOUSE_API_KEY = os.environ.get("COMPANIES_HOUSE_API_KEY", "")
REGISTER_TIMEOUT = float(os.environ.get("REGISTER_TIMEOUT", "5"))
CIW_REGISTER_URL = os.environ.get(
    "CIW_REGISTER_URL", "https://digital.careinspectorate.wales/directory"
)

# Neighbouring councils' Open Referral UK 3.0 feeds, read by `manage.py harvest_neighbours` (run by
# `daily`) and shown apart from our own listings: "Name|base URL|licence|checks page" items
# separated by ";" (the checks page, saying what that council checks, is optional). Empty: none.
NEIGHBOUR_FEEDS = [
    dict(zip(("name", "url", "licence", "checks_url"), (*parts, "", ""), strict=False))
    for item in os.environ.get("NEIGHBOUR_FEEDS", "").split(";")
    if len(parts := [part.strip() for part in item.split("|")]) >= 2 and parts[0] and parts[1]
]
# Seconds to wait on a neighbour's answer, and how far (miles) from the searched place a service
# with no stated area may be based to be shown.
NEIGHBOUR_TIMEOUT = float(os.environ.get("NEIGHBOUR_TIMEOUT", "5"))
NEIGHBOUR_NEAR_MILES = float(os.environ.get("NEIGHBOUR_NEAR_MILES", "5"))
# Sites that may show /embed/ (the search box and results) in a frame, as origins separated by
# commas, like https://www.example-council.gov.uk. Empty: nobody may frame any page.
EMBED_ALLOWED_ORIGINS = env_list("EMBED_ALLOWED_ORIGINS")

# Place names are searched offline (`manage.py import_places`). A geopy geocoder can be added for
# names that table does not have; off unless GEOCODER is set (e.g. "nominatim").
GEOCODER = os.environ.get("GEOCODER", "")
GEOCODER_DOMAIN = os.environ.get("GEOCODER_DOMAIN", "")
GEOCODER_SCHEME = os.environ.get("GEOCODER_SCHEME", "https")
GEOCODER_TIMEOUT = float(os.environ.get("GEOCODER_TIMEOUT", "3"))
GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "care-directory")

# Logs: one JSON object a line (time, level, logger, message, request id), no personal data.
# A request for a host we do not serve is noise from scanners: a warning, without a traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.logging.RequestIdFilter"},
        "redact": {"()": "core.logging.RedactTokensFilter"},
        "quiet": {"()": "core.logging.QuietWarningFilter"},
    },
    "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if env_bool("LOG_JSON", default=not DEBUG) else None,
            "filters": ["request_id", "redact"],
        }
    },
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.security.DisallowedHost": {
            "handlers": ["console"],
            "filters": ["quiet", "redact"],
            "propagate": False,
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

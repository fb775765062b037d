"""Settings for the emulation-cluster manager, read from the environment.

Every value that differs between a laptop and a server comes from an environment
variable (see README.md, "Configuration"). SQLite is the embedded default;
``DATABASE_URL=postgres://...`` selects PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from emulation.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Set DEBUG=1 for local development, "
            "or give SECRET_KEY a long random value in production."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "insecure-development-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "emulation.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "template_partials",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "clusters",
    "scoring",
    "awards",
    "jobs",
]

MIDDLEWARE = [
    # Probes first: answered over plain HTTP, whatever the Host header, without a session.
    "emulation.health.HealthCheckMiddleware",
    "emulation.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and JSON gzipped (with Django's BREACH padding; static files come compressed from
    # WhiteNoise, above); before everything that reads or writes the body (docs/security.md).
    "emulation.compression.TextGZipMiddleware",
    # Before the session middleware, so the session's own save is seen as well.
    "emulation.routers.StickyPrimaryMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "emulation.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clusters.middleware.IdleSessionMiddleware",
    "clusters.middleware.AccountGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "emulation.urls"
WSGI_APPLICATION = "emulation.wsgi.application"
ASGI_APPLICATION = "emulation.asgi.application"

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
                "csp.context_processors.nonce",
                "clusters.context_processors.roles",
                "clusters.context_processors.notifications",
            ],
            # The {% icon %} tag on every page without {% load %} (emulation/icons.py).
            "builtins": ["emulation.icons"],
        },
    },
]

# --- Database --------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time; wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# An optional read replica of the PostgreSQL primary (streaming replication): reports and
# exports read from it, everything else uses the primary (emulation/routers.py).
if replica_url := env_str("DATABASE_REPLICA_URL"):
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL.")
    DATABASES["replica"] = dj_database_url.parse(
        replica_url,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    # Tests read the primary's test database through the replica alias.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["emulation.routers.ReplicaRouter"]
# The fixed-shape reads of a save and of the grid as server-side prepared statements, planned
# once per connection (emulation/prepared.py); 0 behind a pooler in transaction mode.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
# How many written units' columns of the scoring grid each process keeps, reused while the
# rows they show are unchanged (scoring/views/grid_bodies.py; PostgreSQL only); 0: none.
GRID_CACHE_COLUMNS = env_int("GRID_CACHE_COLUMNS", 256)
# How long a user's reads stay on the primary after they wrote (more than the replica's lag).
DATABASE_REPLICA_STICKY_SECONDS = env_int("DATABASE_REPLICA_STICKY_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts --------------------------------------------------------------

AUTH_USER_MODEL = "clusters.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out user name and address before the password is
# even checked (docs/security.md, "Login throttling").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the signed-in user with their unread notifications'
    # count, so the bell in the header costs no query (clusters/auth.py).
    "clusters.auth.NoticeCountBackend",
]

# Sessions end after this many hours without a request (clusters.middleware
# .IdleSessionMiddleware renews the expiry while the user works).
SESSION_IDLE_HOURS = env_int("SESSION_IDLE_HOURS", 8)
if SESSION_IDLE_HOURS < 1:
    raise ImproperlyConfigured(f"SESSION_IDLE_HOURS must be 1 or more; got {SESSION_IDLE_HOURS}.")
SESSION_COOKIE_AGE = SESSION_IDLE_HOURS * 3600

# Login throttling (django-axes): 10 failures for one user name from one address lock that
# pair out for 15 minutes, even with the right password; every refused try starts the 15
# minutes again. Unlock: delete the access attempt in admin, or `axes_reset_username`.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "clusters.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "clusters.throttling.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False

# Second factor (django-otp): TOTP authenticator apps and single-use recovery codes.
# With REQUIRE_2FA_FOR_STAFF=1, administrators and province staff must set one up.
REQUIRE_2FA_FOR_STAFF = env_bool("REQUIRE_2FA_FOR_STAFF", False)
OTP_TOTP_ISSUER = "Thi dua"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Languages, time, numbers -----------------------------------------------

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
# dd/mm/yyyy dates and the decimal comma (see emulation/formats/).
FORMAT_MODULE_PATH = ["emulation.formats"]

# --- Static and uploaded files ----------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Front-end libraries come from pinned npm packages (package-lock.json), never a CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
if not NODE_MODULES.is_dir():
    # A server installed from the offline bundle has no npm packages: its static files
    # were collected when the bundle was built (STATIC_ROOT), so only the finder's list
    # shrinks; `check --deploy` stays free of warnings.
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
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Largest accepted upload (scanned copies, minutes, photos), in megabytes.
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 20)
# Protected files (uploads, job results) are sent by the application itself ("django"), or
# by nginx after the application's permission check ("nginx": an empty answer carrying
# X-Accel-Redirect to PROTECTED_URL_PREFIX + the file's name; see deploy/nginx/thidua.conf).
SENDFILE_MODE = env_str("SENDFILE_MODE", "django")
if SENDFILE_MODE not in ("django", "nginx"):
    raise ImproperlyConfigured(f"SENDFILE_MODE must be django or nginx; got {SENDFILE_MODE!r}.")
PROTECTED_URL_PREFIX = "/" + (env_str("PROTECTED_URL_PREFIX") or "/protected/").strip("/") + "/"

# --- Operations ---------------------------------------------------------------

# Where `manage.py backup` writes, and how many backups it keeps (the oldest go first).
BACKUP_DIR = Path(env_str("BACKUP_DIR") or BASE_DIR / "backups")
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)
# `manage.py cleanup` removes background-job files older than this many days.
RETENTION_DAYS = env_int("RETENTION_DAYS", 90)
# /readyz fails when the disk of MEDIA_ROOT has less free space than this, in megabytes.
READYZ_MIN_FREE_MB = env_int("READYZ_MIN_FREE_MB", 1024)

# --- Forms ------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Background work ---------------------------------------------------------

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Security ----------------------------------------------------------------

# App servers keep no state of their own: sessions live in the database, or, when REDIS_URL
# is set, in Redis through Django's own Redis cache with the database behind it (cached_db:
# reads come from Redis, a Redis restart logs nobody out). Nothing else uses the cache.
if redis_url := env_str("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "thidua",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Content security policy: our own files only, no inline script or style.
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
    }
}

# --- Logging and mail to the administrators -----------------------------------

# "Name <mail>, Other <mail>": who receives the errors (when EMAIL_HOST is set).
ADMINS = [
    (name, address)
    for name, address in getaddresses([env_str("ADMINS") or ""])
    if address and "@" in address
]
EMAIL_HOST = env_str("EMAIL_HOST") or ""
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "thidua@localhost"
SERVER_EMAIL = env_str("SERVER_EMAIL") or DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[Thi đua] "
# The address users open the site at (https://thidua.example.vn), for the links of e-mailed
# notifications: these are mailed only when both EMAIL_HOST and SITE_URL are set.
SITE_URL = (env_str("SITE_URL") or "").strip().rstrip("/")
if SITE_URL and not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://; got {SITE_URL!r}.")

LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json; got {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "emulation.requestlog.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "json": {"()": "emulation.requestlog.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Errors of requests (500) and of background tasks reach the administrators by mail
    # only when a mail server is configured; everything also goes to the console (root).
    "loggers": {
        **{
            name: {"handlers": ["mail_admins"] if EMAIL_HOST else []}
            for name in ("django", "django_tasks", "jobs")
        },
        # A request with a foreign Host header (a scanner) is answered 400 and logged, not
        # mailed.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
    },
}

# Name of the group whose members are province staff (standing agency).
PROVINCE_STAFF_GROUP = "province_staff"

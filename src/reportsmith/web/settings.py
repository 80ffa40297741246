"""Django settings, read from the environment.

``REPORTSMITH_DATA``  data folder (database, uploaded files, secret key); default ``workspace``
``DATABASE_URL``      e.g. ``postgres://user:pw@host/db`` (psycopg 3); default SQLite in the data folder
``REPORTSMITH_HOSTS`` comma-separated host names the server answers to
``REPORTSMITH_HTTPS`` ``1`` when served over HTTPS (secure cookies, HSTS)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from reportsmith.core import limits as _limits

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("REPORTSMITH_DATA", "workspace")).resolve()


def _secret_key() -> str:
    """The key written by :func:`reportsmith.web.setup.prepare` into the data folder; never written here."""
    if os.environ.get("REPORTSMITH_SECRET_KEY"):
        return os.environ["REPORTSMITH_SECRET_KEY"]
    try:
        return (DATA_DIR / "secret_key").read_text(encoding="ascii").strip()
    except OSError:
        # No data folder yet (tests, a settings check): a per-process key.
        return secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("REPORTSMITH_DEBUG") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("REPORTSMITH_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    # Django's admin without autodiscovery: reportsmith.web.adminsite registers every model it shows.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "reportsmith.web.accounts",
    "reportsmith.web.workspace",
    "reportsmith.web.api",
    "reportsmith.web.desk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "reportsmith.web.accounts.middleware.ForcePasswordChangeMiddleware",
]

ROOT_URLCONF = "reportsmith.web.urls"
WSGI_APPLICATION = "reportsmith.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,  # Django's admin templates (the project's own, in DIRS, come first)
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csrf",
            ],
        },
    }
]


def _databases() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        return {"default": dj_database_url.parse(url, conn_max_age=60)}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "workspace.sqlite3",
            "OPTIONS": {
                # WAL lets readers work while one writer writes; wait instead of failing on a lock.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if os.environ.get("REPORTSMITH_FAST_HASHER") == "1":
    # Tests only: creating 48 accounts with PBKDF2's 10^6 rounds takes ~20 s.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Log-in throttling (django-axes): lock an account-and-address pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if os.environ.get("REPORTSMITH_HTTPS") == "1":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: no inline scripts or styles anywhere; htmx is configured by a <meta> tag.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve from the package's own folder (no collectstatic step needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploaded files live here (outside any static root), named by content hash.
FILES_DIR = DATA_DIR / "files"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# All files one cluster keeps (each content counted once): workspace.cluster_upload_mb of data/limits.yaml
# (a deployment changes it through REPORTSMITH_LIMITS, as every other bound).
CLUSTER_UPLOAD_BYTES = _limits.limit("workspace", "cluster_upload_mb") * _limits.MB
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}, "axes": {"level": "WARNING"}},
}

"""Settings for goireport.

Every deployment-specific value comes from an environment variable, read through the
small helpers below, which refuse malformed values instead of guessing. There is one
settings module: development, tests and production differ only by environment.
"""

import hashlib
import os
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap

BASE_DIR = Path(__file__).resolve().parent.parent


class ImproperlyConfiguredEnv(Exception):
    pass


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not a boolean (use true or false)")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not an integer") from None


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def source_digest(*roots: Path) -> str:
    """A digest of the code, templates and static files under ``roots``: the release's
    version when RELEASE is not set, so that a deploy that changes the HTML changes it
    without anyone remembering to bump a number."""
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(root.parent)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def envcache(name: str) -> dict:
    """Django's cache from a URL: ``redis://host:port/db`` (or ``rediss://``) for
    Django's RedisCache, shared by every process and server that names it; unset or
    ``locmem://`` for the local-memory cache of each process."""
    raw = os.environ.get(name, "").strip()
    if raw in ("", "locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if raw.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": raw}
    raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not a redis:// or locmem:// URL")


DEBUG = envbool("DEBUG", True)
SECRET_KEY = envstr("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfiguredEnv("SECRET_KEY must be set when DEBUG is off")
    # Development only: a fixed key so sessions survive restarts of `make run`.
    SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the app servers (no separate web server needed).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "goireport.urls"

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
                "reports.views.notices.unread_count",
            ],
        },
    },
]

WSGI_APPLICATION = "goireport.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
        # A persistent connection the database dropped (restart, failover, idle
        # timeout) is found out before the request uses it, not by a 500.
        conn_health_checks=True,
    )
}
# Off by default: PostgreSQL adopts a generic plan for a prepared query after five
# executions, and one worker serving regions of every size then plans a 30-agency
# region like a 30,000-agency one (the issue measured the small-region oversight pages
# 1.7-1.9x slower). bench/oversight.py did not show them helping at every size on this
# machine (bench/results-oversight.json records which way it ran).
DB_PREPARED_STATEMENTS = envbool("DB_PREPARED_STATEMENTS", False)
if DB_PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A report row has ~170 cell columns, and PostgreSQL takes longer to plan a query
    # over such rows than to run it. With server-side binding, psycopg prepares a query
    # on its fifth use on a connection, which then reuses the plan: it pays off with
    # persistent connections (DB_CONN_MAX_AGE). Never behind a connection pooler in
    # transaction mode that cannot keep prepared statements (older PgBouncer).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
# PostgreSQL's JIT compiler is for long analytical queries: it starts when a plan's
# estimated cost passes a threshold, and a page's query that runs in 14 ms with an
# estimate inflated by a per-region subquery (the public list's search by region,
# 150,000 agencies) spent 283 ms compiling. Off unless DB_JIT is set.
DB_JIT = envbool("DB_JIT", False)
if not DB_JIT and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "reports.User"
LOGIN_URL = "login"
# Everyone starts the day at their inbox (待办).
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# WhiteNoise serves what collectstatic gathered, with gzip/brotli variants.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Front-end libraries come from Python packages and are served from this host:
# government intranets cannot reach a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]

MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

# Long exports run as background tasks (django-tasks). The database backend needs a
# worker: `manage.py db_worker`. TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
# runs them in the request instead (tests, a laptop without a worker).
TASKS = {"default": {"BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# A running job without a heartbeat from its worker for this long is taken as
# interrupted (the worker was killed): queued again once, then failed with a message.
JOB_STALE_SECONDS = envint("JOB_STALE_SECONDS", 300)

# The admin's import and export (django-import-export) need the model's own rights:
# without these codes any staff member, even one without a single permission, could
# import users (and make himself reviewer of any agency) or export the user list. An
# import also needs the "add" right (ImportGuardMixin in reports/admin.py).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# A sheet of agencies or users is imported whole or not at all: a refused row (a name
# with markup, an unknown role) leaves nothing of the rest half-imported.
IMPORT_EXPORT_USE_TRANSACTIONS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# A section form of the applications matrix posts ~150 fields; keep Django's guard
# against huge POSTs but above what the largest legitimate form sends.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# A form's body may hold a long narrative: Chinese text is sent URL-encoded at nine
# bytes a character, so Django's 2.5 MB default refused a 1 MB narrative with a bare
# 400. 10 MB fits a narrative of NARRATIVE_MAX_CHARS (reports/spec/text.py) on any
# page; beyond it templates/400.html says so in Chinese.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MB", 10) * 1024 * 1024

# --- security ------------------------------------------------------------------
# Production switches, each from the environment; with DEBUG off they default to on,
# so that `manage.py check --deploy` is clean (tests/test_security.py runs it).
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
# The load balancer asks the app servers directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
if envbool("SECURE_PROXY_SSL_HEADER", False):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
X_FRAME_OPTIONS = "DENY"

# Login throttling: django-axes locks a username from an address after repeated failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "reports.models.backends.ModelBackend",
]
AXES_ENABLED = envbool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Content-Security-Policy: scripts and styles only from this host, none inline
# (data for scripts travels in json_script blocks, which are not executed).
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

# --- e-mail --------------------------------------------------------------------------
# Notices (reports.models.notices) and password reset go out through Django's mail
# framework: printed on the console in development unless a mail server is named
# (EMAIL_HOST), over SMTP otherwise; tests use the in-memory backend Django's test set-up
# installs.
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfiguredEnv("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "goireport@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How links in e-mails begin: the address people open the site at.
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

# Deadline reminders (reports.oversight.reminders): this many days before 31 January
# (31 March for a government), sent by the task worker once a day at this hour.
REMINDER_DAYS_BEFORE = envint("REMINDER_DAYS_BEFORE", 7)
REMINDER_HOUR = envint("REMINDER_HOUR", 8)

# The five real published reports that the demo and the tests load.
SEEDS_DIR = Path(envstr("SEEDS_DIR", str(BASE_DIR.parent / "shared" / "seeds")))

# Subsets of the CJK fonts cut once per machine for fast PDFs (reports/fonts.py).
PRINT_FONT_CACHE = Path(envstr("PRINT_FONT_CACHE", str(BASE_DIR / "var" / "fonts")))
# Rendered PDFs of unchanged pages, kept by a digest of their HTML (at most
# PRINT_PDF_CACHE_SIZE of them; 0 turns the cache off). Under MEDIA_ROOT by default, so
# that every app server serves the others' renderings; a local disk will do as well.
PRINT_PDF_CACHE = Path(envstr("PRINT_PDF_CACHE", str(MEDIA_ROOT / "cache" / "pdf")))
PRINT_PDF_CACHE_SIZE = envint("PRINT_PDF_CACHE_SIZE", 200)
# After a save, the task worker renders the report's PDF into that store, so that the
# download finds it there (reports/printing/prerender.py); the task waits this many
# seconds so that a burst of saves is rendered once.
PRINT_PDF_PRERENDER = envbool("PRINT_PDF_PRERENDER", True)
PRINT_PDF_PRERENDER_DELAY = envint("PRINT_PDF_PRERENDER_DELAY", 2)

# Django's cache holds the public throttle's counts: per process with the default
# local-memory cache, so with N web workers a client gets N times the allowance;
# CACHE_URL=redis://... makes every process and server count together.
CACHES = {"default": envcache("CACHE_URL")}

# The public site and its open data (reports/views/public.py, reports/views/opendata.py):
# how long a shared cache or a browser may keep an anonymous page, and how many requests
# an anonymous client (by address) may make per window before getting HTTP 429.
PUBLIC_CACHE_SECONDS = envint("PUBLIC_CACHE_SECONDS", 300)
# The version of the code and templates, part of every public ETag: a deploy that
# changes a page makes the copies kept by browsers and proxies stale. A build sets
# RELEASE (a tag or commit); without it, a digest of what renders the pages.
RELEASE = envstr("RELEASE", "") or source_digest(
    BASE_DIR / "reports", BASE_DIR / "templates", BASE_DIR / "static"
)
PUBLIC_THROTTLE_REQUESTS = envint("PUBLIC_THROTTLE_REQUESTS", 120)
PUBLIC_THROTTLE_WINDOW = envint("PUBLIC_THROTTLE_WINDOW", 60)

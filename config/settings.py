"""ERP Bridge settings, driven by environment variables (see README)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY and os.environ.get("ERP_BRIDGE_KEYLESS_COMMAND"):
    # manage.py's offline commands (makemigrations, migrate, check, …) never read the key: Django refuses
    # any use of an empty one, so nothing can be signed with it.
    pass
elif not SECRET_KEY:
    if not DEBUG:
        # A built-in key would sign every session and password reset of a real deployment with a
        # value anyone can read here: refuse to start instead.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value (python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'); only DEBUG=true runs may go without one."
        )
    SECRET_KEY = "insecure-local-only-key-for-debug-runs"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]


def env_list(name):
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# Production (`make serve`) runs behind a TLS-terminating proxy that forwards Host and X-Forwarded-Proto:
# a request is secure when the proxy says it came in over https. With DEBUG off, plain http is redirected
# to https (all but /health/, which load balancers call over plain http), cookies travel over https only,
# and browsers are told (HSTS) to use nothing but https. `make run` (DEBUG on, http on 127.0.0.1) does
# none of it. Each can be set on its own; an empty SECURE_PROXY_SSL_HEADER trusts no proxy header.
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO").strip()
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Origins (scheme and host, e.g. https://erp.example.com) trusted for unsafe requests besides the request's
# own host: needed only when the proxy does not forward the Host the browser used.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm_log",
    "import_export",
    "apps.core",
    "apps.erp_queue",
    "apps.jobs",
    "apps.vendors",
    "apps.budgets",
    "apps.commitments",
    "apps.change_orders",
    "apps.ledger",
    "apps.demo",
]

# The audit trail (django-fsm-log): one row per transition; a bulk step writes its rows in one statement.
DJANGO_FSM_LOG_STORAGE_METHOD = "apps.core.audit.BatchingBackend"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite for a multi-user web app: writers queue for the lock instead of failing with "database is
    # locked". IMMEDIATE takes the write lock when a transaction begins (a deferred one that reads and
    # then writes is refused at once, whatever the timeout); WAL lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# Numbers read as accountants write them (114,000.00) on every admin page; ids in URLs and inputs are unlocalized.
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
# `collectstatic` (run by `make serve`) writes here; whitenoise serves it, each file under a name with its
# content's hash, compressed, with a far-future cache header.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "admin:login"

# Accounting's rejection of a commitment or change order is mailed to its creator. Without a mail
# server configured (EMAIL_HOST), the message is written to the console instead of being lost.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST", "").strip()
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip() or "localhost"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
# STARTTLS on the submission port unless EMAIL_USE_SSL (implicit TLS, usually port 465) is on.
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=not EMAIL_USE_SSL)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
EMAIL_TIMEOUT = 10

# Which ERP connector exports accepted requests: the embedded ledger, or an external agent
# that claims them through the API.
ERP_CONNECTOR = os.environ.get("ERP_CONNECTOR", "ledger")
ERP_CONNECTORS = {
    "ledger": "apps.ledger.connector.LedgerConnector",
    "agent": "apps.erp_queue.connectors.AgentConnector",
}
if ERP_CONNECTOR not in ERP_CONNECTORS:
    raise ImproperlyConfigured(f"ERP_CONNECTOR must be one of {sorted(ERP_CONNECTORS)}, not {ERP_CONNECTOR!r}")
# How long a claimed export belongs to its worker before another may take it over.
ERP_LEASE_SECONDS = int(os.environ.get("ERP_LEASE_SECONDS", "300"))
# In agent mode, /health/ answers 503 and the approvers are e-mailed (once) when no agent has been heard
# from for this long while accepted exports wait.
ERP_AGENT_SILENT_MINUTES = int(os.environ.get("ERP_AGENT_SILENT_MINUTES", "15"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.api.permissions.ModelPermissions"],
    # DRF's own three, with a JSON parser that refuses bodies nested over 100 levels (a RecursionError otherwise).
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # `?format=` names a budget export's file type, not a renderer.
    "URL_FORMAT_OVERRIDE": None,
    # Anonymous callers (the token endpoint above all: password guessing) are held to a rate.
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "60/minute"),
        "login": os.environ.get("API_LOGIN_RATE", "10/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ERP Bridge API",
    "DESCRIPTION": (
        "Jobs, budgets, commitments, change orders and companies on their way to Sage 100 Contractor "
        "through the accounting acceptance queue. Workflow steps are POST actions; a step not allowed "
        "in the record's state answers 409 with the state and the allowed steps."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ERPRequestKindEnum": "apps.erp_queue.registry.KIND_CHOICES",
        "ERPRequestStatusEnum": "apps.erp_queue.models.ERPRequest.Status",
        "StagedRecordKindEnum": "apps.erp_queue.registry.STAGED_KIND_CHOICES",
        "StagedRecordStatusEnum": "apps.erp_queue.models.StagedRecord.Status",
        "ERPStatusEnum": "apps.erp_queue.registry.ERPStatus",
        "BudgetStatusEnum": "apps.budgets.models.Budget.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"apps": {"level": os.environ.get("LOG_LEVEL", "INFO")}},
}

# Budget files (admin, API, import_budget) larger than a real budget ever is are refused before reading.
BUDGET_FILE_MAX_BYTES = int(os.environ.get("BUDGET_FILE_MAX_BYTES", str(20 * 1024 * 1024)))
BUDGET_FILE_MAX_ROWS = int(os.environ.get("BUDGET_FILE_MAX_ROWS", "200000"))

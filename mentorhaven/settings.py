"""MentorHaven settings: one module, driven by environment variables.

Secure by default. In ``production`` every secret and host must be given explicitly; a missing
or malformed value stops start-up with a message naming the variable. ``development`` (the
default, used by ``make run``) and ``test`` work on a bare machine: SQLite under ``var/``, a
development master key generated on first use (mode 0600), in-memory channel layer and the
database task queue.
"""

from __future__ import annotations

import os
import secrets
import zoneinfo
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("MENTORHAVEN_VAR_DIR", PROJECT_DIR / "var"))

ENVIRONMENTS = ("development", "production", "test")


def env(name: str, default: str | None = None) -> str | None:
    """Read ``name`` from the environment, or from the file named by ``name_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name!r}: {exc}") from exc
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def _dev_file_secret(path: Path, nbytes: int) -> str:
    """A development-only secret kept in ``var/`` with mode 0600, created on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


MENTORHAVEN_ENV = env("MENTORHAVEN_ENV", "development") or "development"
if MENTORHAVEN_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"MENTORHAVEN_ENV must be one of {', '.join(ENVIRONMENTS)}, not {MENTORHAVEN_ENV!r}"
    )
PRODUCTION = MENTORHAVEN_ENV == "production"
TESTING = MENTORHAVEN_ENV == "test"

DEBUG = env_bool("MENTORHAVEN_DEBUG", MENTORHAVEN_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("MENTORHAVEN_DEBUG must not be true in production")

# --- secrets and hosts -------------------------------------------------------------------
SECRET_KEY = env("MENTORHAVEN_SECRET_KEY") or ""
if PRODUCTION:
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "MENTORHAVEN_SECRET_KEY must be set to a random value of at least 50 characters "
            "in production (python -c 'import secrets; print(secrets.token_urlsafe(64))')"
        )
elif not SECRET_KEY:
    SECRET_KEY = _dev_file_secret(VAR_DIR / "secret_key", 64)

_hosts = env("MENTORHAVEN_ALLOWED_HOSTS")
if PRODUCTION and not _hosts:
    raise ImproperlyConfigured(
        "MENTORHAVEN_ALLOWED_HOSTS must list the host names this server answers to "
        "(comma-separated) in production"
    )
ALLOWED_HOSTS = [h.strip() for h in (_hosts or "localhost,127.0.0.1,testserver").split(",")]
if PRODUCTION and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("MENTORHAVEN_ALLOWED_HOSTS must not contain '*' in production")
SITE_URL = (env("MENTORHAVEN_SITE_URL") or f"http://{ALLOWED_HOSTS[0]}:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL] if SITE_URL.startswith("https://") else []

# --- master key (KEK) for the vault ------------------------------------------------------
# The key provider in kernel/vault.py reads these; see docs/operations.md.
MASTER_KEY = os.environ.get("MENTORHAVEN_MASTER_KEY") or None
MASTER_KEY_FILE = os.environ.get("MENTORHAVEN_MASTER_KEY_FILE") or None
if PRODUCTION and not (MASTER_KEY or MASTER_KEY_FILE):
    raise ImproperlyConfigured(
        "MENTORHAVEN_MASTER_KEY_FILE (or MENTORHAVEN_MASTER_KEY) must be set in production; "
        "create one with: mentorhaven keys generate /etc/mentorhaven/master.key"
    )
if not (MASTER_KEY or MASTER_KEY_FILE):
    MASTER_KEY_FILE = str(VAR_DIR / "master.key")  # generated on first use, mode 0600
# A KMS-backed provider (dotted path to a kernel.vault.KeyProvider subclass); default: key file.
VAULT_KEY_PROVIDER = env("MENTORHAVEN_KEY_PROVIDER")
# How long a process may keep using an unwrapped data key: bounds how long a key shredded by
# another process keeps working here (see kernel/vault.py).
VAULT_KEY_CACHE_SECONDS = env_int("MENTORHAVEN_VAULT_KEY_CACHE_SECONDS", 30)
# Match runs above this many mentee x mentor cells stream their scores in blocks (certified
# gap) instead of solving one whole score matrix exactly (8 bytes a cell); unset: the default
# of matching.assignment (16 million cells, about 128 MB).
if env("MENTORHAVEN_MATCHING_MAX_DENSE_CELLS"):
    MATCHING_MAX_DENSE_CELLS = env_int("MENTORHAVEN_MATCHING_MAX_DENSE_CELLS", 0)
# Ed25519 key that signs audit checkpoints; kept outside the database.
AUDIT_SIGNING_KEY_FILE = env("MENTORHAVEN_AUDIT_SIGNING_KEY_FILE") or (
    None if PRODUCTION else str(VAR_DIR / "audit-signing.key")
)
if PRODUCTION and not AUDIT_SIGNING_KEY_FILE:
    raise ImproperlyConfigured(
        "MENTORHAVEN_AUDIT_SIGNING_KEY_FILE must be set in production; "
        "create one with: mentorhaven audit keygen /etc/mentorhaven/audit-signing.key"
    )
# The audit sealer (`mentorhaven audit sealer`) signs a checkpoint every this many events, and
# when events are few, once the oldest unsigned one is this many seconds old (kernel/audit/).
AUDIT_CHECKPOINT_EVERY = env_int("MENTORHAVEN_AUDIT_CHECKPOINT_EVERY", 1000)
AUDIT_CHECKPOINT_SECONDS = env_int("MENTORHAVEN_AUDIT_CHECKPOINT_SECONDS", 300)
# Every checkpoint is also appended here, outside the database (append-only JSON lines, 0600):
# point it at other storage than the database's. Optional copies: POSTed to a webhook (http or
# https URL) and/or mailed to an auditor; failures are logged and retried.
AUDIT_ANCHOR_DIR = env("MENTORHAVEN_AUDIT_ANCHOR_DIR") or str(VAR_DIR / "audit-anchors")
AUDIT_ANCHOR_WEBHOOK = env("MENTORHAVEN_AUDIT_ANCHOR_WEBHOOK")
if AUDIT_ANCHOR_WEBHOOK and not AUDIT_ANCHOR_WEBHOOK.startswith(("https://", "http://")):
    raise ImproperlyConfigured("MENTORHAVEN_AUDIT_ANCHOR_WEBHOOK must be an http(s):// URL")
AUDIT_ANCHOR_EMAIL = env("MENTORHAVEN_AUDIT_ANCHOR_EMAIL")

# --- monitoring (incidents/monitoring.py) -----------------------------------------------
# Thresholds of the rules over the audit log, per window; what is left out keeps its default.
MONITORING = {
    "window_minutes": env_int("MENTORHAVEN_MONITORING_WINDOW_MINUTES", 15),
    "mass_read": env_int("MENTORHAVEN_MONITORING_MASS_READ", 50),
    "access_denied": env_int("MENTORHAVEN_MONITORING_ACCESS_DENIED", 20),
    "sign_in_failures": env_int("MENTORHAVEN_MONITORING_SIGN_IN_FAILURES", 10),
    "bulk_export": env_int("MENTORHAVEN_MONITORING_BULK_EXPORT", 3),
}

# --- applications ------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_htmx",
    "ninja",
    "channels",
    "pgtrigger",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "mentorhaven.kernel",
    "mentorhaven.accounts",
    "mentorhaven.programs",
    "mentorhaven.mentoring",
    "mentorhaven.matching",
    "mentorhaven.messaging",
    "mentorhaven.files",
    "mentorhaven.privacy",
    "mentorhaven.retention",
    "mentorhaven.consent",
    "mentorhaven.gates",
    "mentorhaven.incidents",
    "mentorhaven.operations",
    "mentorhaven.community",
    "mentorhaven.library",
    "mentorhaven.reporting",
    "mentorhaven.assistant",
    "mentorhaven.web",
]

MIDDLEWARE = [
    # Counts and times requests by route name for /metrics (mentorhaven/operations/metrics.py).
    "mentorhaven.operations.metrics.MetricsMiddleware",
    # First, so its line has the final status and the whole time; secrets are redacted in it.
    "mentorhaven.web.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The person's time zone, as soon as we know who they are.
    "mentorhaven.accounts.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's UserSessionsMiddleware, naming the session by its stored hash and writing
    # "last seen" at most once a minute per session (benchmarks/bench_pages.py).
    "mentorhaven.accounts.usersessions.UserSessionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mentorhaven.accounts.middleware.MfaRequiredMiddleware",
    # The confidentiality agreement before anything else (after MFA: enrol first, then agree).
    "mentorhaven.gates.middleware.AgreementRequiredMiddleware",
    "mentorhaven.web.middleware.SecurityHeadersMiddleware",
    # Last, so it is the first to see what a view raised: domain errors become pages here.
    "mentorhaven.web.edge.DomainErrorMiddleware",
]

ROOT_URLCONF = "mentorhaven.urls"
ASGI_APPLICATION = "mentorhaven.asgi.application"
# Requests a web process runs at once, each on a thread of its own for its whole time
# (mentorhaven/web/asgi_handler.py); more wait for a free thread. Keep it at or under the
# database pool size (MENTORHAVEN_DB_POOL_SIZE), since every running request may hold a connection.
WEB_THREADS = env_int("MENTORHAVEN_WEB_THREADS", 4)
WSGI_APPLICATION = "mentorhaven.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mentorhaven.web.context_processors.navigation",
            ],
        },
    }
]

# --- database ----------------------------------------------------------------------------
# Every SQLite connection, whether from the default file or from DATABASE_URL=sqlite://...:
# write-ahead logging (readers never block the writer), NORMAL syncs (durable at checkpoints,
# never corrupt), IMMEDIATE transactions (a writer takes the write lock when it begins, so two
# writers queue on the busy timeout instead of failing with "database is locked" when both
# try to upgrade a read lock), and secure_delete (deleted rows and freed pages are overwritten
# with zeros, so erased content does not linger in the file or in copies of it).
SQLITE_PRAGMAS = {
    "journal_mode": "WAL",
    "synchronous": "NORMAL",
    "secure_delete": "ON",
    "foreign_keys": "ON",
}
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "init_command": " ".join(f"PRAGMA {name}={value};" for name, value in SQLITE_PRAGMAS.items()),
    "timeout": 20,  # seconds a writer waits for the lock (SQLite's busy timeout)
}
_database_url = env("DATABASE_URL")
if _database_url:
    try:
        # No persistent connections: under ASGI every request runs in its own context, so a
        # kept-open connection is never reused and they pile up until PostgreSQL answers "too
        # many clients" (seen when benchmarking at concurrency 16). PostgreSQL gets a pool
        # instead.
        _db = dj_database_url.parse(_database_url, conn_max_age=0)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": env_int("MENTORHAVEN_DB_POOL_SIZE", 8),
            "timeout": 10,
        }
    elif _db["ENGINE"] == "django.db.backends.sqlite3":
        _db["OPTIONS"] = {**_db.get("OPTIONS", {}), **SQLITE_OPTIONS}
else:
    if PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL must be set in production (postgres://...)")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "mentorhaven.sqlite3"),
        "OPTIONS": dict(SQLITE_OPTIONS),
    }
DATABASES = {"default": _db}
# PostgreSQL: the owner role's URL, used only by `mentorhaven migrate` (the app's role in
# DATABASE_URL may then not change the audit log; see docs/operations.md, "Database roles").
DATABASE_OWNER_URL = env("DATABASE_OWNER_URL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, channels, tasks --------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL and not TESTING:
    CACHES = {
        # Redis, falling back to a per-process memory cache while Redis is away
        # (mentorhaven/operations/cache.py): no request fails because the cache does.
        "default": {
            "BACKEND": "mentorhaven.operations.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    # Tests keep a per-process cache (rate limits, used TOTP codes) so that parallel workers
    # cannot clear each other's state; the channel layer below still goes through Redis.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- operations: /readyz and /metrics (docs/operations.md, "Monitoring") -----------------
# /metrics answers only with this bearer token (or MENTORHAVEN_METRICS_TOKEN_FILE); 404 unset.
METRICS_TOKEN = env("MENTORHAVEN_METRICS_TOKEN")
# /readyz fails when the oldest unsealed audit event is older than this (default: the audit
# log's own grace period, kernel.audit.PENDING_GRACE_SECONDS).
READY_SEALER_LAG_SECONDS = env_int("MENTORHAVEN_READY_SEALER_LAG_SECONDS", 0) or None

# The scheduler (kernel/schedule.py) looks for due jobs this often.
SCHEDULE_POLL_SECONDS = env_int("MENTORHAVEN_SCHEDULE_POLL_SECONDS", 30)

# Background work (e-mails, reminders, exports, erasure) goes through Django's task framework.
# "database" (the default, nothing to set up: `make run` starts a worker beside the server),
# "rq" (production: Redis through RQ, needs REDIS_URL; run `mentorhaven worker` as a service) or
# "immediate" (the test suite: each task runs when its transaction commits).
TASK_BACKEND = env("TASK_BACKEND", "immediate" if TESTING else ("rq" if REDIS_URL else "database"))
if TASK_BACKEND not in ("database", "immediate", "rq"):
    raise ImproperlyConfigured(
        f"TASK_BACKEND must be 'database', 'rq' or 'immediate', not {TASK_BACKEND!r}"
    )
if TASK_BACKEND == "rq" and not REDIS_URL:
    raise ImproperlyConfigured("TASK_BACKEND=rq needs REDIS_URL (redis://...)")
TASK_QUEUES = ["default"]
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "rq": "django_tasks_rq.RQBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
        }[TASK_BACKEND],
        "QUEUES": TASK_QUEUES,
    }
}
# RQ's queues live in the same Redis as the cache and the channel layer. A job that runs longer
# than this is stopped and marked failed (exports and erasure are resumable).
RQ_QUEUES = (
    {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600} for name in TASK_QUEUES} if REDIS_URL else {}
)

# --- accounts and authentication --------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Fast hashing keeps the suite quick; production and development use Argon2id.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "display_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "mentorhaven.accounts.adapter.AccountAdapter"
# Sign-up is bound to the invitation in the session (e-mail fixed to the invited address).
ACCOUNT_FORMS = {"signup": "mentorhaven.accounts.forms.InvitedSignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # invitations are sent to the address, which proves it
ACCOUNT_UNIQUE_EMAIL = True
# Changing one's address: the new one is confirmed from its inbox, then replaces the old one
# (accounts/views.py ``email_change``); the old address is told.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Sensitive steps (a password change, creating an API token) need the password or a second
# factor given again within this many seconds (accounts/tokens.py).
ACCOUNT_REAUTHENTICATION_TIMEOUT = 10 * 60
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[MentorHaven] "
# Throttling and lockout: failed logins are limited per address and per account.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("MENTORHAVEN_LOGIN_FAILED_LIMIT", "10/m/ip,5/15m/key"),
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
# TOTP keys and recovery seeds are sealed by the vault under their owner's data key; the code
# forms name whose secrets they check (accounts/mfa_adapter.py).
# Single sign-on per organization through OpenID Connect (accounts/sso.py): apps are built from
# each organization's IdentityProvider row, tokens are not kept, only the claims in
# accounts.sso.KEPT_CLAIMS are; a new person joins on first sign-in (docs/security/sso.md).
SOCIALACCOUNT_ADAPTER = "mentorhaven.accounts.social_adapter.SocialAccountAdapter"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # an existing account is linked by its signed-in owner
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10

MFA_ADAPTER = "mentorhaven.accounts.mfa_adapter.MFAAdapter"
MFA_FORMS = {
    "authenticate": "mentorhaven.accounts.forms.MfaAuthenticateForm",
    "reauthenticate": "mentorhaven.accounts.forms.MfaReauthenticateForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "MentorHaven"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
USERSESSIONS_TRACK_ACTIVITY = True
# Ends sessions by the stored hash of their key (accounts/usersessions.py).
USERSESSIONS_ADAPTER = "mentorhaven.accounts.usersessions.UserSessionsAdapter"

INVITATION_DAYS = env_int("MENTORHAVEN_INVITATION_DAYS", 14)

# AI assistance (mentorhaven/assistant): each organization configures its own model endpoint
# (``mentorhaven assistant_configure``); these apply to every call.
AI_TIMEOUT_SECONDS = env_int("MENTORHAVEN_AI_TIMEOUT_SECONDS", 30)
# Where national phone numbers in a prompt are looked for (international ones always are).
AI_PHONE_REGIONS = tuple(
    (env("MENTORHAVEN_AI_PHONE_REGIONS", "US,GB,DE") or "").replace(" ", "").split(",")
)
API_TOKEN_DEFAULT_DAYS = 90
# Largest accepted upload, in MiB (files app; checked on the bytes received, not Content-Length).
FILES_MAX_UPLOAD_MB = env_int("MENTORHAVEN_MAX_UPLOAD_MB", 25)
# Storage allowances, in MiB, counted on the stored (cleaned) sizes: per person, and per program
# for the files shared in its relationships.
FILES_QUOTA_PERSON_MB = env_int("MENTORHAVEN_FILES_QUOTA_PERSON_MB", 500)
FILES_QUOTA_PROGRAM_MB = env_int("MENTORHAVEN_FILES_QUOTA_PROGRAM_MB", 20 * 1024)
# Largest video a program admin may add to a program's library, in MiB (MP4 or WebM; documents
# there are held to MENTORHAVEN_MAX_UPLOAD_MB like every other upload).
LIBRARY_MAX_VIDEO_MB = env_int("MENTORHAVEN_LIBRARY_MAX_VIDEO_MB", 500)

# --- sessions, cookies, transport security -----------------------------------------------
# Django's database sessions, the table holding only a keyed hash of each session key;
# malformed cookies are turned away before any query (accounts/sessions.py).
SESSION_ENGINE = "mentorhaven.accounts.sessions"
SESSION_COOKIE_AGE = env_int("MENTORHAVEN_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # htmx reads the token from the page, never the cookie
# Flash messages can name people: keep them in the server-side session, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "mentorhaven.web.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-mh-session"
    CSRF_COOKIE_NAME = "__Host-mh-csrf"
    DEVICE_COOKIE_NAME = "__Host-mh-device"
    SECURE_SSL_REDIRECT = env_bool("MENTORHAVEN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("MENTORHAVEN_HSTS_SECONDS", 63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
else:
    SESSION_COOKIE_NAME = "mh-session"
    CSRF_COOKIE_NAME = "mh-csrf"
    # A random value set at sign-in to recognise a browser seen before (accounts/devices.py).
    DEVICE_COOKIE_NAME = "mh-device"

# Django's built-in Content Security Policy: no inline script or style anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- e-mail ------------------------------------------------------------------------------
_email_url = env("EMAIL_URL")
if _email_url:
    try:
        _email = dj_email_url.parse(_email_url)
    except Exception as exc:  # the parser raises several types on malformed input
        raise ImproperlyConfigured(f"EMAIL_URL is not a valid e-mail URL: {exc}") from exc
    if "EMAIL_BACKEND" not in _email:
        # An unknown scheme (e.g. "smtp+tls") would otherwise fall back to plain SMTP silently.
        raise ImproperlyConfigured(
            "EMAIL_URL must start with smtp://, submission:// (STARTTLS, port 587), "
            "console://, file:// or memory://"
        )
    _mail_options = {
        "host": _email["EMAIL_HOST"],
        "port": _email["EMAIL_PORT"],
        "username": _email["EMAIL_HOST_USER"],
        "password": _email["EMAIL_HOST_PASSWORD"],
        "use_tls": _email["EMAIL_USE_TLS"],
        "use_ssl": _email["EMAIL_USE_SSL"],
        "timeout": 20,
    }
    if _email.get("EMAIL_FILE_PATH"):
        # The directory exactly as written after "file://": the parser drops the leading slash,
        # which turned file:///var/mail/mentorhaven into a folder under the working directory.
        _mail_options = {"file_path": _email_url.removeprefix("file://").split("?")[0]}
    elif not _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        _mail_options = {}
    MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mail_options}}
elif PRODUCTION:
    raise ImproperlyConfigured(
        "EMAIL_URL must be set in production (submission://user:pass@host:587)"
    )
elif TESTING:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
else:
    # Development: every message is written to var/mail/ so nothing leaves the machine.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env("MENTORHAVEN_FROM_EMAIL", "MentorHaven <no-reply@mentorhaven.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- static files, i18n ------------------------------------------------------------------
STATIC_URL = "/static/"
# The project stylesheet lives in mentorhaven/static/ (not inside an app).
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("MENTORHAVEN_STATIC_ROOT") or (str(VAR_DIR / "static") if PRODUCTION else None)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production static files are served straight from the app folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
LANGUAGE_CODE = "en"
# The server works in UTC; each person sees times in their own zone (accounts.User.time_zone,
# activated per request by accounts.middleware.TimeZoneMiddleware).
TIME_ZONE = "UTC"
# The zone of people who have not chosen one (existing accounts, a browser that does not say):
# the organization's zone for a single-organization deployment.
DEFAULT_USER_TIME_ZONE = env("MENTORHAVEN_DEFAULT_TIME_ZONE", "UTC") or "UTC"
try:
    zoneinfo.ZoneInfo(DEFAULT_USER_TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(
        f"MENTORHAVEN_DEFAULT_TIME_ZONE: {DEFAULT_USER_TIME_ZONE!r} is not a known time zone"
    ) from exc
USE_I18N = True
USE_TZ = True

# --- logging: identifiers only, never content ------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_urls": {"()": "mentorhaven.web.request_log.RedactUrls"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("MENTORHAVEN_LOG_LEVEL", "INFO")},
    "loggers": {
        # Request bodies and SQL parameters can hold personal data: never log them.
        "django.db.backends": {"level": "WARNING"},
        # Our request log (web/request_log.py); share, feed, invitation and reset tokens and
        # search terms are redacted in it, and in every other logger that writes request paths.
        "mentorhaven.request": {"level": "INFO"},
        "django.request": {"filters": ["redact_urls"]},
        "django.security.csrf": {"filters": ["redact_urls"]},
        "django.server": {"filters": ["redact_urls"], "propagate": True},
        "mentorhaven.api": {"filters": ["redact_urls"]},
        # Off in `make run` (--no-access-log); redacted and sent to our handler if left on.
        "uvicorn.access": {"filters": ["redact_urls"], "propagate": True},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

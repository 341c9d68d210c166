"""Settings for the Approved Researcher Service, read from the environment only.

With nothing set the service runs embedded: SQLite, Celery on a filesystem broker, local
media, email to the console. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and
Redis. ``DJANGO_ENV=production`` demands every secret and turns every security setting on.
Every variable is listed in ``.env.example``.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    _required = [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "SITE_URL",
        "DECLARATION_SIGNING_KEY",
        "DECLARATION_SIGNING_CERT",
    ]
    _missing = [name for name in _required if not env.str(name, default="")]
    if _missing:
        raise ImproperlyConfigured(
            "Production settings need these environment variables, which are not set: "
            + ", ".join(_missing)
            + ". See .env.example for what each one means."
        )

# `make test` splits the suite across processes (pytest-xdist names each one gw0, gw1...):
# each keeps its own files and filesystem broker under the default VAR_DIR, and its own Redis
# database, and the Celery workers and servers its tests start inherit the same through the
# environment. A VAR_DIR that is set is used as it is: a test that starts the service in
# another process gives it a folder of the test's own.
TEST_PROCESS = int(os.environ.get("PYTEST_XDIST_WORKER", "gw").removeprefix("gw") or -1)
VAR_DIR = Path(
    env.str(
        "VAR_DIR",
        default=str(
            BASE_DIR / "var" / f"test-process-{TEST_PROCESS}"
            if TEST_PROCESS >= 0
            else BASE_DIR / "var"
        ),
    )
)

# Development keys are generated per checkout so nothing secret is committed.
SECRET_KEY = env.str("SECRET_KEY", default="") or "dev-insecure-" + str(BASE_DIR)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# How many proxies of the service's own stand in front of it, each appending the address it saw
# to X-Forwarded-For. The client's address is the one the outermost of them appended; with 0
# the header is ignored, since anyone can send it. Rate limits and the audit trail use it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
SERVICE_NAME = "Approved Researcher Service"
SERVICE_PHASE = env.str("SERVICE_PHASE", default="beta")
SERVICE_CONTACT_EMAIL = env.str("SERVICE_CONTACT_EMAIL", default="research.support@example.gov.uk")
# What only the scheme can say in its privacy notice. The defaults are marked placeholders, shown
# as such on the page until the scheme's data protection officer sets them.
PRIVACY_CONTROLLER = env.str(
    "PRIVACY_CONTROLLER", default="[To be confirmed: the body that is the data controller]"
)
PRIVACY_DPO_EMAIL = env.str(
    "PRIVACY_DPO_EMAIL", default="[To be confirmed: the data protection officer's email address]"
)
PRIVACY_RETENTION = env.str(
    "PRIVACY_RETENTION",
    default="[To be confirmed: how long each kind of record is kept, from the scheme's "
    "retention schedule]",
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own form templates, behind the GOV.UK ones in templates/django/forms/.
    "django.forms",
    "django_fsm",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    # The ground floor, below every domain app: roles, GOV.UK pieces, then the cross-cutting apps.
    "identity",
    "govuk",
    "audit",
    "workflow",
    "health",
    "uploads",
    "documents",
    "notifications",
    # Domain apps, in the order the five safes build on each other.
    "legislation",
    "researchers",
    "accreditation",
    "projects",
    "outputs",
    "entitlements",
    "reports",
    # Above every app whose records it destroys.
    "retention",
    "dashboard",
    "demo",
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
    "allauth.account.middleware.AccountMiddleware",
    "researchers.middleware.StaffTwoFactorMiddleware",
    "researchers.middleware.StaffDeclarationMiddleware",
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
                "csp.context_processors.nonce",
                "dashboard.context_processors.service",
            ],
        },
    },
]
FORM_RENDERER = "govuk.forms.GovukFormRenderer"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Pooling applies to PostgreSQL only: on by default in production, off otherwise.
DATABASE_POOL = env.bool("DATABASE_POOL", default=PRODUCTION)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a Celery worker started by a test sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A pool per process (psycopg_pool, through Django): a request or task borrows a connection
    # and gives it back at its end. Django uses one connection per thread, so the largest size
    # is the number of threads a process serves with (1 for gunicorn's sync workers and
    # Celery's prefork children); given more, a one-thread process opens a spare it never
    # uses. The README ("Database connections") says how many each process needs.
    if DATABASE_POOL:
        if env.int("DATABASE_CONN_MAX_AGE", default=0):
            raise ImproperlyConfigured(
                "DATABASE_CONN_MAX_AGE keeps connections open without a pool, and Django refuses "
                "it beside one: with DATABASE_POOL on, leave DATABASE_CONN_MAX_AGE unset (or 0). "
                "See .env.example."
            )
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=1),
            # Seconds a request waits for a free connection before it fails.
            "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The checkers' queue index carries its columns (INCLUDE) on PostgreSQL, so the queue is read
# from the index alone; SQLite, the development database, has no such columns and builds the
# index without them, which is all it needs. Django warns of that on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and TEST_PROCESS >= 0:
    _redis = urlsplit(REDIS_URL)
    _database = int(_redis.path.strip("/") or 0) + TEST_PROCESS
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_database}"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ars"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Accounts
AUTH_USER_MODEL = "researchers.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "dashboard:start"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SERVICE_NAME}] "
# Tell people when their password, email address or two-factor set-up changes, and from where.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_ADAPTER = "researchers.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "researchers.forms.SignupForm"}
# Failed sign-ins are limited per client address, and per account *from that address*
# (researchers.adapters.AccountAdapter): nobody elsewhere can lock a named person out.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "30/5m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "5/m/ip,3/m/key",
    "confirm_email": "1/3m/key",
}
# A second factor is an authenticator app or a passkey (WebAuthn, verified by fido2), with
# recovery codes for when it is lost. A passkey also signs in on its own: it is something the
# person has, unlocked by their fingerprint, face or PIN.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
# Browsers make passkeys only on HTTPS or on localhost; the development server is plain HTTP on
# localhost, which fido2 accepts only when told to. Never in production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_FORMS = {
    "add_webauthn": "researchers.two_factor.forms.PasskeyAddForm",
    "authenticate_webauthn": "researchers.two_factor.forms.PasskeyAuthenticateForm",
    "reauthenticate_webauthn": "researchers.two_factor.forms.PasskeyReauthenticateForm",
    "login_webauthn": "researchers.two_factor.forms.PasskeyLoginForm",
}
MFA_TOTP_ISSUER = SERVICE_NAME
MFA_ADAPTER = "researchers.adapters.MFAAdapter"
GUARDIAN_ANONYMOUS_USER_NAME = None
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

# Internationalisation
LANGUAGE_CODE = "en-gb"
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static and uploaded files. Media sits outside the static root and is never served directly.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Keyed on DEBUG, not DJANGO_ENV, so an image can collect its static files at build
        # time (DEBUG=false) without production's secrets.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Object storage: with a bucket named, uploaded and generated files (evidence, declarations,
# outputs, report PDFs) go to that S3-compatible bucket (AWS S3, MinIO), so every web and worker
# node sees the same files; without one, to MEDIA_ROOT on the local disk. Either way they are
# private: uploads.storage.PrivateS3Storage gives objects no public ACL and signs no URLs, and
# every download streams through a view that has checked permission.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _addressing = env.str("AWS_S3_ADDRESSING_STYLE", default="")
    if _addressing not in {"", "auto", "path", "virtual"}:
        raise ImproperlyConfigured(
            f"AWS_S3_ADDRESSING_STYLE must be 'path', 'virtual' or 'auto', not {_addressing!r}."
        )
    STORAGES["default"] = {
        "BACKEND": "uploads.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # None: Amazon S3 itself, found from the region.
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # None: boto3 looks for credentials itself (an instance role, ~/.aws).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            # "path" for MinIO and most S3-compatible stores, "virtual" for Amazon S3.
            "addressing_style": _addressing or None,
        },
    }
# Outside production static files come straight from the finders, no collectstatic needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The largest file a person may upload (evidence, certificates, outputs), in bytes.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# The largest single output file (a table, figure or report) a researcher may submit, in bytes.
OUTPUT_FILE_MAX_BYTES = env.int("OUTPUT_FILE_MAX_BYTES", default=10 * 1024 * 1024)
# The most table data the automated checks read from one file, every cell of it: a CSV's size,
# a workbook's sheets once unpacked. A table holding more is refused at upload.
OUTPUT_TABLE_MAX_READ_BYTES = env.int("OUTPUT_TABLE_MAX_READ_BYTES", default=40 * 1024 * 1024)
# Output checking: a count below the threshold is disclosive, and so is a zero unless the
# service decides otherwise. An ACRO output folder arrives as one zip, within these limits.
OUTPUT_MIN_THRESHOLD = env.int("OUTPUT_MIN_THRESHOLD", default=10)
OUTPUT_ZEROS_DISCLOSIVE = env.bool("OUTPUT_ZEROS_DISCLOSIVE", default=True)
ACRO_ZIP_MAX_BYTES = env.int("ACRO_ZIP_MAX_BYTES", default=50 * 1024 * 1024)
ACRO_ZIP_MAX_UNCOMPRESSED_BYTES = env.int(
    "ACRO_ZIP_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024
)
ACRO_ZIP_MAX_FILES = env.int("ACRO_ZIP_MAX_FILES", default=500)
# A folder's results.json is parsed whole, into objects many times its size, so it has a
# limit of its own, well below a file's. Each other file keeps to OUTPUT_FILE_MAX_BYTES.
ACRO_RESULTS_MAX_BYTES = env.int("ACRO_RESULTS_MAX_BYTES", default=2 * 1024 * 1024)

# Accreditation: how long each level lasts, and how recent a provisional applicant's Safe
# Researcher Training must be. The scheme's criteria change, so these are not literals in code.
ACCREDITATION_FULL_YEARS = env.int("ACCREDITATION_FULL_YEARS", default=5)
ACCREDITATION_PROVISIONAL_YEARS = env.int("ACCREDITATION_PROVISIONAL_YEARS", default=3)
PROVISIONAL_TRAINING_MAX_AGE_YEARS = env.int("PROVISIONAL_TRAINING_MAX_AGE_YEARS", default=3)
# How many years Safe Researcher Training stays current for a fully accredited researcher, who is
# reminded to refresh it; 0 if the scheme asks for no refresh. A proposal for the scheme to confirm.
TRAINING_REFRESH_YEARS = env.int("TRAINING_REFRESH_YEARS", default=5)
# Years of quantitative research experience that meet the full criteria without a degree.
ACCREDITATION_FULL_EXPERIENCE_YEARS = env.int("ACCREDITATION_FULL_EXPERIENCE_YEARS", default=3)
# How long after an accreditation expires its holder may still renew it rather than apply anew.
ACCREDITATION_RENEWAL_AFTER_EXPIRY_DAYS = env.int(
    "ACCREDITATION_RENEWAL_AFTER_EXPIRY_DAYS", default=90
)
# How many days before an accreditation ends its holder is offered renewal on their dashboard.
ACCREDITATION_RENEWAL_OFFERED_DAYS = env.int("ACCREDITATION_RENEWAL_OFFERED_DAYS", default=90)

# The public registers: how many seconds a page of results stays kept (in the cache) for
# everyone who searches the same way before it is read from the database again, so a change
# shows on the register within that time; 0 reads every request afresh.
REGISTER_RESULTS_KEPT_SECONDS = env.int("REGISTER_RESULTS_KEPT_SECONDS", default=60)

# The secretariat's home: how many seconds its queues, once worked out, stay kept (in the
# cache) for the whole secretariat. Any change the audit trail records shows at once; what it
# does not record (a new name) shows within this time. 0 works them out on every visit.
SECRETARIAT_QUEUES_KEPT_SECONDS = env.int("SECRETARIAT_QUEUES_KEPT_SECONDS", default=60)
# The staff's lists (the applications queue, the proposal list, the checkers' queue, the audit
# list) and the report page's filters and expiring accreditations: how many seconds a page of
# one, once rendered, stays kept (in the cache) for whoever asks for the same page. It is kept
# under the latest event the audit trail records about what it lists, so a recorded change
# shows at once; what the trail does not record (a new name) shows within this time. 0 works
# every page out on each visit.
STAFF_LISTS_KEPT_SECONDS = env.int("STAFF_LISTS_KEPT_SECONDS", default=60)
# A researcher's own pages (their section of the home, their list of projects): how many seconds
# each, once rendered, stays kept (in the cache) for them. It is kept under the latest event the
# audit trail records about anything of theirs it shows, so a recorded change shows at once;
# what the trail does not record shows within this time. 0 works it out on every visit.
RESEARCHER_PAGES_KEPT_SECONDS = env.int("RESEARCHER_PAGES_KEPT_SECONDS", default=60)

# Output checking: working days (England and Wales bank holidays excluded) from a request's
# submission to the checkers' decision, shown on their queue.
OUTPUT_SERVICE_LEVEL_WORKING_DAYS = env.int("OUTPUT_SERVICE_LEVEL_WORKING_DAYS", default=5)
# Data owners' consent: working days from a proposal reaching the data owners to their answer,
# after which the secretariat's home shows the consent as overdue.
CONSENT_SERVICE_LEVEL_WORKING_DAYS = env.int("CONSENT_SERVICE_LEVEL_WORKING_DAYS", default=10)
# Projects: a project's access ends at its end date. Output requests sent by then may still be
# checked and released for this many days after it; then what is left is closed unreleased.
PROJECT_END_GRACE_DAYS = env.int("PROJECT_END_GRACE_DAYS", default=30)

# Signed confidentiality declarations: the PEM key and certificate that sign them (PAdES) and
# are the trust root when verifying. `python manage.py signing_keys_ensure` makes a development
# pair at the default paths; production names its own.
DECLARATION_SIGNING_KEY = env.str(
    "DECLARATION_SIGNING_KEY", default=str(VAR_DIR / "signing" / "declaration-key.pem")
)
DECLARATION_SIGNING_CERT = env.str(
    "DECLARATION_SIGNING_CERT", default=str(VAR_DIR / "signing" / "declaration-cert.pem")
)
DECLARATION_SIGNING_KEY_PASSPHRASE = env.str("DECLARATION_SIGNING_KEY_PASSPHRASE", default="")
# An RFC 3161 timestamp server makes signatures PAdES B-T; without one they are B-B.
DECLARATION_TIMESTAMP_URL = env.str("DECLARATION_TIMESTAMP_URL", default="")
# The largest PDF the public verification page accepts, in bytes.
DECLARATION_VERIFY_MAX_BYTES = env.int("DECLARATION_VERIFY_MAX_BYTES", default=5 * 1024 * 1024)
# Minutes a signed declaration may wait for its PDF before a sweep queues its task again.
DECLARATION_REQUEUE_AFTER_MINUTES = env.int("DECLARATION_REQUEUE_AFTER_MINUTES", default=30)

# A person's copy of their data: the days it is kept once ready, and the most audit events
# it holds (the oldest are kept; its README says how many it holds).
DATA_EXPORT_KEEP_DAYS = env.int("DATA_EXPORT_KEEP_DAYS", default=7)
DATA_EXPORT_AUDIT_EVENTS_MAX = env.int("DATA_EXPORT_AUDIT_EVENTS_MAX", default=100_000)

# Reminders: how many objects a sweep reads, records in the ledger and tells in one batch.
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=500)
# Days before the retention run destroys a withdrawn draft that its owner is told, once.
RETENTION_REMINDER_DAYS = env.int("RETENTION_REMINDER_DAYS", default=14)

# Email
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default=f"{SERVICE_NAME} <noreply@example.gov.uk>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when configured, otherwise a filesystem broker that needs no server.
CELERY_BROKER_FOLDER = VAR_DIR / "celery" / "broker"
# Redis gives a task that a worker has taken and not yet acknowledged (every task here
# acknowledges once done) to another worker after this many seconds, so that a task whose
# worker died is not lost. A task waiting for its countdown is such a task: one waiting longer
# than this would run twice. The longest countdown is a webhook delivery's last retry, 64
# minutes (entitlements.webhooks.services); Redis's own default is one hour.
REDIS_VISIBILITY_TIMEOUT = 2 * 60 * 60
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery' / 'results'}"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# Work is split into queues so that one kind never waits behind another: a slow PDF never
# delays an email, and a nightly sweep never holds up the checks on a researcher's upload.
# docker-compose.yml runs a worker per group (the README says how to scale each); `make run`
# runs one worker that takes them all. Every task is routed by name (a test fails on one that
# is not), and beat's entries go through the same routes. "default" takes anything else, such
# as Celery's own tasks.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    # Rendering and signing PDFs: WeasyPrint and pyHanko, slow and heavy on memory.
    "researchers.tasks.declaration_render_and_sign_task": {"queue": "pdf"},
    "reports.tasks.report_export_render_task": {"queue": "pdf"},
    # A person's copy of their data: a zip that copies every file they hold, as slow and heavy
    # as a PDF, and waited for the same way.
    "researchers.tasks.data_export_build_task": {"queue": "pdf"},
    # The automated disclosure checks on an uploaded output, which a researcher waits for.
    "outputs.tasks.run_checks": {"queue": "checks"},
    # Telling people: one email each, and the announcement of a new declaration version.
    "notifications.tasks.email_send": {"queue": "email"},
    "notifications.tasks.emails_send": {"queue": "email"},
    "researchers.tasks.declaration_version_announce_task": {"queue": "email"},
    # Telling the secretariat's systems of each entitlement granted, changed or ended: outbound
    # HTTP that may wait up to its timeout on each slow receiver. A queue of its own, so that a
    # receiver that is down or slow never holds up the emails people wait for.
    "entitlements.tasks.webhook_deliver": {"queue": "webhooks"},
    # What beat sends: the nightly expiries and closures, the daily reminders, the hourly
    # re-queues of lost PDFs, the report page's summary each quarter of an hour and the
    # entitlements every five minutes. Beat's heartbeats name their queue themselves (below);
    # one sent without a queue goes here.
    "health.tasks.heartbeat": {"queue": "sweeps"},
    "accreditation.tasks.expire_lapsed_accreditations": {"queue": "sweeps"},
    "projects.tasks.close_ended_projects": {"queue": "sweeps"},
    "projects.tasks.start_scheduled_projects": {"queue": "sweeps"},
    "notifications.tasks.reminders_send": {"queue": "sweeps"},
    "researchers.tasks.declarations_requeue_pending": {"queue": "sweeps"},
    "reports.tasks.report_exports_requeue_stale": {"queue": "sweeps"},
    "researchers.tasks.data_exports_sweep": {"queue": "sweeps"},
    "reports.tasks.report_summary_refresh_task": {"queue": "sweeps"},
    "entitlements.tasks.entitlements_sweep": {"queue": "sweeps"},
    "retention.tasks.retention_run_task": {"queue": "sweeps"},
}
# Each queue with an exchange and routing key of its own name, as Celery makes a missing queue:
# queues left to share the default exchange and key would each receive every task. A worker
# started without -Q takes all of them.
WORKER_QUEUES = ("default", "pdf", "checks", "email", "webhooks", "sweeps")
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in WORKER_QUEUES]
CELERY_BEAT_SCHEDULE = {
    # A heartbeat into every queue each minute, so the status page shows, queue by queue, that
    # some worker takes it: a stopped email worker shows as such, not hidden behind the sweeps'.
    **{
        f"worker-heartbeat-{queue}": {
            "task": "health.tasks.heartbeat",
            "schedule": 60.0,
            "args": (queue,),
            "options": {"queue": queue},
        }
        for queue in WORKER_QUEUES
    },
    # Just after midnight, so an accreditation ends on the day after its last valid day.
    "expire-lapsed-accreditations": {
        "task": "accreditation.tasks.expire_lapsed_accreditations",
        "schedule": crontab(hour=0, minute=15),
    },
    # Just after midnight too, so a project's access ends on the day after its end date (it
    # closes then too when nothing is left open), and what its grace period left unreleased is
    # closed the day after that period.
    "close-ended-projects": {
        "task": "projects.tasks.close_ended_projects",
        "schedule": crontab(hour=0, minute=20),
    },
    # After the expiries above, so a project whose team member's accreditation ended overnight
    # does not start; early, so a scheduled project is active at the start of its start date.
    "start-scheduled-projects": {
        "task": "projects.tasks.start_scheduled_projects",
        "schedule": crontab(hour=0, minute=25),
    },
    # Early morning, after the expiries and closures above, so nobody is reminded about an
    # accreditation or project that ended overnight, and emails arrive before the working day.
    "send-reminders": {
        "task": "notifications.tasks.reminders_send",
        "schedule": crontab(hour=6, minute=0),
    },
    # Hourly: queue again the PDF of any signed declaration whose task was lost.
    "requeue-pending-declarations": {
        "task": "researchers.tasks.declarations_requeue_pending",
        "schedule": crontab(minute=5),
    },
    # Every five minutes: announce the entitlements that ended by their dates, and queue again
    # any webhook delivery whose task was lost.
    "publish-entitlements": {
        "task": "entitlements.tasks.entitlements_sweep",
        "schedule": 300.0,
    },
    # Hourly: delete the copies of people's data whose days are up, and queue again any whose
    # task was lost.
    "sweep-data-exports": {
        "task": "researchers.tasks.data_exports_sweep",
        "schedule": crontab(minute=45),
    },
    # Hourly: queue again any report PDF whose task was lost.
    "requeue-stale-report-exports": {
        "task": "reports.tasks.report_exports_requeue_stale",
        "schedule": crontab(minute=35),
    },
    # Every quarter of an hour: the report page's default figures, which take the database
    # seconds to count at scale. Often enough that the figures the page shows (with their time)
    # are rarely more than minutes old; rarely enough that the counting costs the database a
    # small share of its time. The page counts live when the summary is over an hour old, so a
    # run or two lost to a busy worker is not noticed; from just after midnight it counts live
    # too, until the first run of the new day covers the new range.
    # Nightly, after the expiries, closures and starts above and before the reminders, when
    # nobody is working: destroy what the retention schedule says has passed its period.
    "retention-run": {
        "task": "retention.tasks.retention_run_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "refresh-report-summary": {
        "task": "reports.tasks.report_summary_refresh_task",
        "schedule": crontab(minute="*/15"),
    },
}

# Security: always-on basics, and everything else in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's own page for a failed CSRF check uses inline styles, which the policy below blocks.
CSRF_FAILURE_VIEW = "dashboard.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# The API (/api/v1/), for the secure research environment and other machine clients. JSON only:
# no browsable pages, whose scripts the content security policy would refuse. Machine clients
# present a token the secretariat issued; a signed-in person reads their own records with their
# browser session. Each token may make API_TOKEN_RATE requests (Django REST framework's
# "number/period"), counted in the cache; each client address may present
# API_REFUSALS_PER_MINUTE tokens refused.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "entitlements.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["entitlements.api.throttling.TokenRateThrottle"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_TOKEN_RATE = env.str("API_TOKEN_RATE", default="600/minute")
API_REFUSALS_PER_MINUTE = env.int("API_REFUSALS_PER_MINUTE", default=30)
# Webhook endpoints are https addresses on the public internet: the service looks each host up
# when the endpoint is added and before every try, refuses loopback, private, link-local (a
# cloud's metadata service) and other non-public addresses, and connects to the address it
# checked (entitlements/webhooks/services.py). These lift the two rules, for receivers on the
# same machine or network in development; the tests' receiver listens on http://127.0.0.1.
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)
SPECTACULAR_SETTINGS = {
    "TITLE": "Approved Researcher Service API",
    "DESCRIPTION": (
        "Who may see which data, for which project, until when; and the public registers. "
        "Machine clients send a token the secretariat issued: `Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v[0-9]+",
    # One name for the levels of accreditation, wherever a field offers them.
    "ENUM_NAME_OVERRIDES": {"AccreditationLevelEnum": "accreditation.levels.Level.values"},
}

# Content security policy: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

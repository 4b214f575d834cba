"""Ponte settings: everything is here and read from the environment.

dev/test/prod only change defaults; see docs/deployment.md for every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PONTE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# When Ponte runs behind a reverse proxy, the client address is the last hop it appends.
PONTE_TRUSTED_PROXY = env_bool("PONTE_TRUSTED_PROXY", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "core",
    "accounts",
    "audit",
    "people",
    "cases",
    "assessments",
    "opportunities",
    "imports",
    "plans",
    "paths",
    "programmes",
    "governance",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Partials (template#name) over the cached loader, which keeps one compiled template per language
            # with its constant {% translate %} tags already translated (core/template_loader.py, ADR 0021).
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "core.template_loader.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
            # {% url %} walks the URL patterns once per name when its arguments are record keys (ADR 0025).
            "builtins": ["core.templatetags.ponte_urls"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.access",
                "config.context_processors.navigation",
            ],
        },
    },
]
# Forms render with the project's templates too, so that every app shares templates/includes/errors.html.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ponte.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker share the embedded database.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a plan to machine code when its estimated cost is high. Ponte's indicator
    # queries cross that threshold yet run in tens of milliseconds, and compiling cost more than running them
    # (70 of 110 ms on the 300,000-path benchmark): JIT is off for Ponte's connections (docs/deployment.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    if env_bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # Parameters bound by the server, and a statement run twice on a connection prepared there, so that
        # PostgreSQL plans it once per connection instead of at every page (ADR 0022). Behind a pooler in
        # transaction mode without prepared-statement support, set DATABASE_PREPARED_STATEMENTS=off.
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=2)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Oversized payloads are refused before they reach a form or serializer.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2 * 1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PontePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "api.exceptions.ponte_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ponte API",
    "DESCRIPTION": "API of Ponte, the shared platform of the Milan mental-health and social-care network.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["api.openapi.postprocess_schema_enums_in_english"],
    # Stable names for choice sets that share a field name across apps ("status", "area").
    "ENUM_NAME_OVERRIDES": {
        "AreaEnum": "cases.choices.Area",
        "CaseStatusEnum": "cases.choices.CaseStatus",
        "ReferralStatusEnum": "cases.choices.ReferralStatus",
        "AssessmentStatusEnum": "assessments.choices.AssessmentStatus",
        "PlanStatusEnum": "plans.choices.PlanStatus",
        "EvaluationStatusEnum": "plans.choices.EvaluationStatus",
        "GoalAreaEnum": "plans.choices.GoalArea",
        "MunicipioEnum": "people.choices.Municipio",
        "EmployerKindEnum": "opportunities.choices.EMPLOYER_KIND_CHOICES",
        "OpportunityKindEnum": "opportunities.choices.OpportunityKind",
        "OpportunityStatusEnum": "opportunities.choices.OpportunityStatus",
        "ProposalStatusEnum": "opportunities.choices.ProposalStatus",
        "DecisionEnum": "opportunities.choices.Decision",
        "DecisionAnswerEnum": "api.matching.DECISION_ANSWERS",
        "CandidateDeclineReasonEnum": "opportunities.choices.CandidateDeclineReason",
        "EmployerDeclineReasonEnum": "opportunities.choices.EmployerDeclineReason",
        "ContactOutcomeEnum": "opportunities.choices.ContactOutcome",
        "WishKindEnum": "api.matching.WISH_KINDS",
        "PathKindEnum": "paths.choices.PathKind",
        "HiringKindEnum": "paths.choices.HIRING_KIND_CHOICES",
        "PathStatusEnum": "paths.choices.PathStatus",
        "EventKindEnum": "paths.choices.EventKind",
        "ActivityKindEnum": "paths.choices.ActivityKind",
        "GroupStatusEnum": "paths.choices.GroupStatus",
        "EnrolmentStatusEnum": "paths.choices.EnrolmentStatus",
        "FollowUpOutcomeEnum": "paths.choices.FollowUpOutcome",
        "GoalOutcomeEnum": "plans.choices.Outcome",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The benchmark's limit view answers only under bench/settings.py, which turns this on; no environment variable can.
PONTE_BENCH = False

# Demo accounts share one password; see README.md.
PONTE_DEMO_PASSWORD = os.environ.get("PONTE_DEMO_PASSWORD", "ponte-demo")

"""Benchmark settings: production settings (DEBUG off) plus the demo app and its limit view.

bench/run.py passes SECRET_KEY and DATABASE_URL (always the dedicated bench database) in the environment.
"""

from config.settings.prod import *  # noqa: F403
from config.settings.prod import INSTALLED_APPS

if "demo" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
PONTE_BENCH = True
ROOT_URLCONF = "bench.urls"
# The manifest storage of production needs `collectstatic`; the benchmark requests no static files.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise warns at every start when STATIC_ROOT is missing; the benchmark serves no static file.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# Plain HTTP on the loopback interface: secure-only cookies would never come back.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

"""The server the browser tests drive: the dev settings with DEBUG off.

DEBUG off so that the browser meets what production serves: the real 404/403/500 templates (checked by axe too),
no debug toolbar or technical error pages, and views that fail the same way they would in production. Static files
come from `runserver --insecure`; cookies are not `Secure` because the server speaks plain HTTP on 127.0.0.1.
The database and PONTE_VAR_DIR come from the environment, set by browser_tests/conftest.py.
"""

import os

os.environ["DEBUG"] = "0"

from config.settings.dev import *  # noqa: E402,F403

DEBUG = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

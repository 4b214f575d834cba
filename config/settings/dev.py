"""Local development and `make run`: debug on, a throw-away key, the embedded SQLite database."""

import os

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: E402,F403
from .base import VAR_DIR  # noqa: E402

SECRET_KEY = SECRET_KEY or "dev-only-not-secret-ponte"  # noqa: F405
VAR_DIR.mkdir(parents=True, exist_ok=True)

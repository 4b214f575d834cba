"""The PostgreSQL connection options of config/settings/base.py (ADR 0022), read from the environment."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection


def _options(**environ) -> dict:
    """DATABASES["default"]["OPTIONS"] as config.settings.base computes them in a fresh process with `environ`."""
    script = (
        "import json; from config.settings import base; print(json.dumps(base.DATABASES['default'].get('OPTIONS', {})))"
    )
    env = {**os.environ, **environ}
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output)


def test_postgresql_connections_prepare_repeated_statements_unless_turned_off():
    url = {"DATABASE_URL": "postgres://ponte@db.example:5432/ponte"}
    assert _options(**url) == {"options": "-c jit=off", "server_side_binding": True, "prepare_threshold": 2}
    assert _options(**url, DATABASE_PREPARED_STATEMENTS="off") == {"options": "-c jit=off"}
    assert "server_side_binding" not in _options(DATABASE_URL="sqlite:///tmp/ponte.sqlite3")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_a_statement_run_twice_is_prepared_on_the_connection(db):
    sql = "SELECT count(*) FROM people_person WHERE id = %s"
    with connection.cursor() as cursor:
        for pk in (1, 2, 3):
            cursor.execute(sql, [pk])
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [sql.replace("%s", "$1")])
        assert cursor.fetchone()[0] == 1

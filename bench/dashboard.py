"""Programme dashboard benchmark (issue 6, part 7): the programme pages over 300,000 paths and 2,000,000 activities.

Usage: .venv/bin/python bench/dashboard.py [--paths 300000] [--activities 2000000] [--programme CODE] [--repeat 5]

Needs DATABASE_URL on a PostgreSQL server; like `make bench` it works in its own database `ponte_bench` there
(created, migrated and seeded with 100,000 persons by bench/run.py's steps when missing). Then:

1. **Data.** Adds job-inclusion paths (courses, internships, hirings with their conversions, interruptions and
   contract ends, over the last seven years), hospitalisation and drop-out events, and the operators' activities
   (about 15% not attributable to one person), with each path's history of states, written with COPY and
   deterministic for --seed. Skipped when the database already holds that many paths.
2. **Ponte.** In a new process per programme, signs in as `coordinatore.sacco` and opens the programme's page
   (`/programmes/<code>/`: objectives, actions, budgets and every indicator against its target, for the programme's
   default period and the whole network) and its trends section (`/programmes/<code>/trends/`, which the page loads
   through htmx) once **cold**, then --repeat times **warm**; --cold-runs such processes per programme, and the
   median cold load is reported. Every SQL statement of a warm load is recorded.
3. **DuckDB.** Exports the tables those statements read, once, from PostgreSQL to CSV, loads them into a DuckDB
   file with the same column types, and runs the same statements there: cold (a new DuckDB connection) and warm.
   Each statement's rows are compared with PostgreSQL's, so the reference computes the same figures.

Prints a markdown table and writes bench/results/<timestamp>-dashboard.json. Performance is measured here, never in
tests; docs/benchmarks.md holds the figures.
"""

import argparse
import datetime
import decimal
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import RESULTS, bench_database_url, child_env, machine, manage  # noqa: E402

USERNAME = "coordinatore.sacco"
WORK_YEARS = 7
P_NON_ATTRIBUTABLE = 0.15


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000, help="persons in the bench database")
    parser.add_argument("--paths", type=int, default=300_000, help="job-inclusion paths to have")
    parser.add_argument("--activities", type=int, default=2_000_000, help="operators' activities to have")
    parser.add_argument("--programme", action="append", help="programme code (default: every programme)")
    parser.add_argument("--repeat", type=int, default=5, help="warm requests per programme and process")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes per programme (median cold)")
    parser.add_argument("--seed", type=int, default=7321)
    parser.add_argument(
        "--reseed", action="store_true", help="drop the paths, events and activities and write them again"
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: the measuring child process
    return parser.parse_args()


# -- data ----------------------------------------------------------------------------------------------------


def ensure_registry(env: dict, args) -> None:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://")) as conn:
        try:
            persons = conn.execute("SELECT count(*) FROM people_person").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            persons = 0
    manage(env, "migrate", "--noinput", "-v0")
    if persons < args.persons:
        manage(env, "seed_demo", "--persons", str(args.persons), "--seed", str(args.seed), "--force", "--registry-only")
    manage(env, "load_programmes")


def _copy(conn, table: str, columns: tuple[str, ...], rows) -> int:
    count = 0
    with conn.cursor() as cursor:
        names = ", ".join(f'"{column}"' for column in columns)  # quoted: paths_pathchange has a column "on"
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def seed_paths(env: dict, args) -> dict:
    """Paths, events and activities with COPY, shaped like the demo's (seed 000's shares), until --paths exist."""
    import psycopg

    url = env["DATABASE_URL"].replace("postgres://", "postgresql://")
    with psycopg.connect(url) as conn:
        if args.reseed:
            conn.execute("TRUNCATE paths_activity, paths_programmeevent, paths_pathchange, paths_path CASCADE")
        have = conn.execute("SELECT count(*) FROM paths_path").fetchone()[0]
        if have >= args.paths:
            return {"seeded": False, "seconds": 0.0}
        started = time.monotonic()
        rng = random.Random(args.seed)
        today = datetime.date.today()
        now = datetime.datetime.now(datetime.UTC)
        cases = conn.execute(
            "SELECT c.id, c.person_id, c.organisation_id, c.opened_on FROM cases_case c "
            "JOIN accounts_unit u ON u.id = c.unit_id WHERE c.area = 'work' ORDER BY c.id"
        ).fetchall()
        rng.shuffle(cases)  # histories until --paths are written: which candidates get one is drawn at random
        hosts = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM accounts_organisation WHERE kind IN ('company', 'social_coop', 'ets', 'training_body')"
            )
        ]
        staff: dict[int, list[int]] = {}
        for user_id, org_id in conn.execute(
            "SELECT m.user_id, u.organisation_id FROM accounts_membership m JOIN accounts_unit u ON u.id = m.unit_id "
            "WHERE m.role IN ('operator', 'coordinator') AND m.is_active"
        ):
            staff.setdefault(org_id, []).append(user_id)
        next_id = (conn.execute("SELECT coalesce(max(id), 0) FROM paths_path").fetchone()[0] or 0) + 1
        paths, events = [], []
        columns = (
            "id", "created_at", "updated_at", "kind", "status", "title", "starts_on", "planned_end_on", "ended_on",
            "hours_per_week", "days_per_week", "host_tutor", "beneficiary_category", "monthly_indemnity",
            "meal_vouchers", "interruption_reason", "job_end_reason", "outcome_note", "version", "case_id", "host_id",
            "organisation_id", "person_id", "previous_id", "service_tutor_id",
        )  # fmt: skip

        def add(case, kind, status, start, planned, ended, *, previous=None, reason="", job_reason="", indemnity=None):
            nonlocal next_id
            tutor = rng.choice(staff.get(case[2]) or [None])
            paths.append((
                next_id, now, now, kind, status, "", start, planned, ended, decimal.Decimal(rng.choice([15, 20, 30])),
                5, "", rng.choice(["disadvantaged", "disabled"]), indemnity, False, reason, job_reason, "", 1,
                case[0], rng.choice(hosts), case[2], case[1], previous, tutor,
            ))  # fmt: skip
            next_id += 1
            return next_id - 1

        horizon = today - datetime.timedelta(days=365 * WORK_YEARS)
        for case in cases:
            if len(paths) >= args.paths - have:
                break
            # Each drawn candidate's history spans the last WORK_YEARS, whatever their case's opening date says.
            cursor = horizon + datetime.timedelta(days=rng.randint(0, 365))
            while cursor < today:
                roll = rng.random()
                if roll < 0.45:  # a course of 2 to 4 months
                    end = cursor + datetime.timedelta(days=rng.randint(60, 120))
                    done = end < today
                    add(case, "course", "completed" if done else "active", cursor, end, end if done else None)
                    cursor = end + datetime.timedelta(days=rng.randint(15, 90))
                elif roll < 0.85:  # a six-month internship
                    planned = cursor + datetime.timedelta(days=182)
                    fate = rng.random()
                    if planned >= today:
                        status, ended, reason = "active", None, ""
                    elif fate < 0.45:
                        status, ended, reason = "converted", planned, ""
                    elif fate < 0.85:
                        status, ended, reason = "completed", planned, ""
                    else:
                        ended = cursor + datetime.timedelta(days=rng.randint(0, 182))
                        status, reason = "interrupted", rng.choice(["drop_out", "health", "person_choice"])
                    internship = add(
                        case, rng.choice(["internship", "inclusion_internship"]), status, cursor, planned, ended,
                        reason=reason, indemnity=decimal.Decimal(500),
                    )  # fmt: skip
                    cursor = (ended or planned) + datetime.timedelta(days=1)
                    if status == "converted":
                        cursor = _hiring(add, rng, case, cursor, today, previous=internship)
                else:  # a direct hiring
                    cursor = _hiring(add, rng, case, cursor, today)
            if rng.random() < 0.06:
                events.append((now, now, "hospitalisation", _between(rng, horizon, today), None, "", case[0], case[2],
                               None, case[1], rng.choice(staff.get(case[2]) or [1])))  # fmt: skip
            if rng.random() < 0.03:
                events.append((now, now, "drop_out", _between(rng, horizon, today), None, "", case[0], case[2], None,
                               case[1], rng.choice(staff.get(case[2]) or [1])))  # fmt: skip
        written = _copy(conn, "paths_path", columns, paths)
        conn.execute("SELECT setval(pg_get_serial_sequence('paths_path', 'id'), (SELECT max(id) FROM paths_path))")
        _copy(
            conn, "paths_programmeevent",
            ("created_at", "updated_at", "kind", "occurred_on", "ended_on", "note", "case_id", "organisation_id",
             "path_id", "person_id", "recorded_by_id"),
            events,
        )  # fmt: skip
        changes = _copy(
            conn,
            "paths_pathchange",
            ("from_status", "to_status", "on", "reason", "note", "fields", "at", "by_id", "path_id"),
            _history(paths, now),
        )
        activities = seed_activities(conn, rng, args, paths, staff, horizon, today, now)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return {
        "seeded": True,
        "seconds": round(time.monotonic() - started, 1),
        "paths_added": written,
        "events_added": len(events),
        "activities_added": activities,
        "history_rows_added": changes,
    }


def _history(paths, now):
    """Each path's history as paths/services.py writes it: planned, then active on its start, then its end."""
    for path in paths:
        path_id, status, starts_on, ended_on, reason, by = path[0], path[4], path[6], path[8], path[15], path[24] or 1
        yield ("", "planned", starts_on, "", "", "[]", now, by, path_id)
        yield ("planned", "active", starts_on, "", "", "[]", now, by, path_id)
        if status not in ("planned", "active"):
            yield ("active", status, ended_on or starts_on, reason, "", "[]", now, by, path_id)


def _between(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _hiring(add, rng, case, start: datetime.date, today: datetime.date, *, previous=None) -> datetime.date:
    """A hiring from `start`: fixed-term contracts end after a year, some jobs are lost; the next free date."""
    kind = rng.choice(["hiring_fixed", "hiring_open", "law68_hiring", "coop_b"])
    planned = start + datetime.timedelta(days=365) if kind == "hiring_fixed" else None
    status, ended, reason, job_reason = "active", None, "", ""
    if planned and planned < today:
        status, ended, job_reason = "completed", planned, "contract_end"
    elif rng.random() < 0.15 and start < today - datetime.timedelta(days=60):
        ended = _between(rng, start + datetime.timedelta(days=30), today)
        status, reason, job_reason = "interrupted", "other", rng.choice(["resignation", "dismissal", "health"])
    add(case, kind, status, start, planned, ended, previous=previous, reason=reason, job_reason=job_reason)
    return (ended or today) + datetime.timedelta(days=rng.randint(30, 180))


def seed_activities(conn, rng, args, paths, staff, horizon, today, now) -> int:
    have = conn.execute("SELECT count(*) FROM paths_activity").fetchone()[0]
    wanted = args.activities - have
    if wanted <= 0 or not paths:
        return 0
    professions = ["educator", "job_coach", "psychologist", "social_worker", "terp", "nurse"]
    kinds = ["interview", "coaching", "company_visit", "group_session"]
    shared_kinds = ["network_meeting", "staff_training", "company_visit"]

    def rows():
        for _ in range(wanted):
            path = rng.choice(paths)
            org = path[21]
            operator = rng.choice(staff.get(org) or [path[24] or 1])
            if rng.random() < P_NON_ATTRIBUTABLE:
                yield (
                    now,
                    now,
                    rng.choice(professions),
                    "TR106",
                    _between(rng, horizon, today),
                    rng.choice([30, 60, 90, 120]),
                    rng.choice(shared_kinds),
                    "",
                    operator,
                    org,
                    None,
                    None,
                )
            else:
                start = path[6]
                end = path[8] or today
                yield (
                    now,
                    now,
                    rng.choice(professions),
                    "TR106",
                    _between(rng, start, max(start, end)),
                    rng.choice([15, 30, 45, 60]),
                    rng.choice(kinds),
                    "",
                    operator,
                    org,
                    path[22],
                    path[0],
                )

    return _copy(
        conn,
        "paths_activity",
        ("created_at", "updated_at", "profession", "programme_code", "performed_on", "minutes", "kind", "note",
         "operator_id", "organisation_id", "person_id", "path_id"),
        rows(),
    )  # fmt: skip


# -- measuring Ponte (in a child process) ---------------------------------------------------------------------


def measure_ponte(codes: list[str] | None, repeat: int) -> dict:
    """Runs in a fresh process per programme: the page cold and warm, and the SQL of one warm page.

    Cold is the programme page's first request in a process that has served only the home page: Django, the URL
    configuration and the shared templates are loaded, the page's own templates, queries and figures are not, and
    the database connection is new. PostgreSQL's own buffers are as the previous steps left them.
    """
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from programmes.models import Programme

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=USERNAME))
    codes = codes or list(Programme.objects.order_by("code").values_list("code", flat=True))
    if client.get("/").status_code != 200:
        raise SystemExit("the home page did not answer 200")
    connection.close()  # the programme page opens its own connection, as a request of a new worker would
    out = {}

    def dashboard(code: str) -> None:
        """The programme page, then its trends section, which the page loads through htmx as a browser does."""
        for url, headers in (
            (f"/programmes/{code}/", {}),
            (f"/programmes/{code}/trends/", {"HTTP_HX_REQUEST": "true"}),
        ):
            response = client.get(url, **headers)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")

    for code in codes:
        started = time.perf_counter()
        dashboard(code)
        cold = time.perf_counter() - started
        warm = []
        for _ in range(repeat):
            started = time.perf_counter()
            dashboard(code)
            warm.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as captured:
            dashboard(code)
        statements = [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith("SELECT") and '"django_session"' not in q["sql"]
        ]
        out[code] = {"cold_s": cold, "warm_s": warm, "statements": statements}
    return out


# -- DuckDB ---------------------------------------------------------------------------------------------------

# Tables read by a statement: Django quotes their names, the raw SQL of a few selectors (access_for) does not;
# names that are no table (a function after FROM) find no columns and are skipped by export_to_duckdb.
_TABLE = re.compile(r'(?:FROM|JOIN)\s+"?([a-z_0-9]+)"?', re.IGNORECASE)
_TYPES = {
    "bigint": "BIGINT", "integer": "INTEGER", "smallint": "SMALLINT", "boolean": "BOOLEAN", "date": "DATE",
    "timestamp with time zone": "TIMESTAMPTZ", "text": "VARCHAR", "character varying": "VARCHAR", "jsonb": "JSON",
    "uuid": "UUID", "inet": "VARCHAR", "double precision": "DOUBLE", "real": "FLOAT",
}  # fmt: skip


def _duck_type(data_type: str, precision, scale) -> str:
    if data_type == "numeric":
        return f"DECIMAL({precision or 18},{scale or 0})"
    return _TYPES.get(data_type, "VARCHAR")


def export_to_duckdb(url: str, tables: set[str], path: Path) -> dict:
    """The tables, once, from PostgreSQL into a DuckDB file with the same column types; seconds per step."""
    import duckdb
    import psycopg

    timings = {}
    started = time.monotonic()
    duck = duckdb.connect(str(path))
    with psycopg.connect(url) as conn, tempfile.TemporaryDirectory() as tmp:
        for table in sorted(tables):
            columns = conn.execute(
                "SELECT column_name, data_type, numeric_precision, numeric_scale FROM information_schema.columns "
                "WHERE table_name = %s ORDER BY ordinal_position",
                (table,),
            ).fetchall()
            if not columns:
                continue
            file = Path(tmp) / f"{table}.csv"
            with conn.cursor() as cursor, file.open("wb") as out:
                with cursor.copy(f'COPY "{table}" TO STDOUT WITH (FORMAT csv, HEADER true)') as copy:
                    for chunk in copy:
                        out.write(chunk)
            definition = ", ".join(f'"{name}" {_duck_type(kind, p, s)}' for name, kind, p, s in columns)
            duck.execute(f'CREATE TABLE "{table}" ({definition})')
            # PostgreSQL writes NULL as an empty field and an empty string as "": keep them apart.
            duck.execute(f"COPY \"{table}\" FROM '{file}' (FORMAT csv, HEADER true, ALLOW_QUOTED_NULLS false)")
    duck.close()
    timings["export_and_load_s"] = round(time.monotonic() - started, 1)
    return timings


def _normal(rows) -> list:
    def value(v):
        if isinstance(v, str) and v[:1] in "[{":
            try:
                v = json.loads(v)
            except ValueError:
                return v
        if isinstance(v, dict | list):
            return json.dumps(v, sort_keys=True)
        if isinstance(v, float | decimal.Decimal):
            return round(float(v), 6)
        if isinstance(v, datetime.datetime):
            return v.astimezone(datetime.UTC).replace(tzinfo=None)
        return v

    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


def run_duckdb(path: Path, url: str, statements: list[str], repeat: int) -> dict:
    """The statements in a fresh DuckDB connection (cold), then `repeat` times (warm); rows checked against PG."""
    import duckdb
    import psycopg

    duck = duckdb.connect(str(path), read_only=True)
    failed, differ = [], []
    started = time.perf_counter()
    results = []
    for sql in statements:
        try:
            results.append(duck.execute(sql).fetchall())
        except duckdb.Error as error:
            failed.append({"sql": sql[:300], "error": str(error).splitlines()[0]})
            results.append(None)
    cold = time.perf_counter() - started
    warm = []
    runnable = [sql for sql, rows in zip(statements, results, strict=True) if rows is not None]
    for _ in range(repeat):
        started = time.perf_counter()
        for sql in runnable:
            duck.execute(sql).fetchall()
        warm.append(time.perf_counter() - started)
    duck.close()
    postgres_s = 0.0  # the same statements on PostgreSQL, alone: the database's share of Ponte's warm page
    with psycopg.connect(url) as conn:
        conn.execute("SET jit = off")  # as Ponte's own connections (config/settings/base.py)
        for sql, rows in zip(statements, results, strict=True):
            started = time.perf_counter()
            pg_rows = conn.execute(sql).fetchall()
            postgres_s += time.perf_counter() - started
            if rows is not None and _normal(pg_rows) != _normal(rows):
                differ.append(sql[:300])
    return {
        "cold_s": cold,
        "warm_s": warm,
        "postgres_s": postgres_s,
        "statements": len(statements),
        "failed": failed,
        "differ": differ,
    }


def programme_codes(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute("SELECT code FROM programmes_programme ORDER BY code")]


# -- main -----------------------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    if args.measure:
        codes = json.loads(args.measure) or None
        print(json.dumps(measure_ponte(codes, args.repeat)))
        return 0
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/dashboard.py needs DATABASE_URL=postgres://… (it compares PostgreSQL with DuckDB)")
    database_url, _vendor = bench_database_url()
    env = child_env(database_url, "bench-dashboard-" + "x" * 40)
    ensure_registry(env, args)
    data = seed_paths(env, args)
    url = database_url.replace("postgres://", "postgresql://")
    import psycopg

    with psycopg.connect(url) as conn:
        dataset = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
            for table in ("people_person", "cases_case", "paths_path", "paths_activity", "paths_programmeevent")
        }
    ponte = {}
    for code in args.programme or programme_codes(url):
        runs = []
        for _ in range(args.cold_runs):  # a cold start is one sample per process: take the median of a few
            child = subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--measure", json.dumps([code]), "--repeat", str(args.repeat)],
                env=env, cwd=ROOT, check=True, capture_output=True, text=True,
            )  # fmt: skip
            runs.append(json.loads(child.stdout.strip().splitlines()[-1])[code])
        ponte[code] = {
            "cold_s": statistics.median(run["cold_s"] for run in runs),
            "cold_runs_s": [run["cold_s"] for run in runs],
            "warm_s": [t for run in runs for t in run["warm_s"]],
            "statements": runs[0]["statements"],
        }
    tables = {t for page in ponte.values() for sql in page["statements"] for t in _TABLE.findall(sql)}
    with tempfile.TemporaryDirectory() as tmp:
        duck_path = Path(tmp) / "ponte.duckdb"
        export = export_to_duckdb(url, tables, duck_path)
        rows = []
        for code, page in ponte.items():
            duck = run_duckdb(duck_path, url, page["statements"], args.repeat)
            rows.append({
                "programme": code,
                "ponte_cold_s": round(page["cold_s"], 3),
                "ponte_cold_runs_s": [round(t, 3) for t in page["cold_runs_s"]],
                "ponte_warm_median_s": round(statistics.median(page["warm_s"]), 3),
                "statements": duck["statements"],
                "postgres_sql_s": round(duck["postgres_s"], 3),
                "duckdb_cold_s": round(duck["cold_s"], 3),
                "duckdb_warm_median_s": round(statistics.median(duck["warm_s"]), 3) if duck["warm_s"] else None,
                "duckdb_failed": duck["failed"],
                "duckdb_differ": duck["differ"],
            })  # fmt: skip
    for row in rows:
        row["warm_under_1s"] = row["ponte_warm_median_s"] < 1.0
        row["cold_within_3x_duckdb"] = row["ponte_cold_s"] <= 3 * row["duckdb_cold_s"]
    result = {
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "user": USERNAME,
        "dataset": dataset,
        "seeding": data,
        "duckdb": export,
        "programmes": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{datetime.datetime.now():%Y%m%d-%H%M%S}-dashboard.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print("| programme | Ponte cold s | Ponte warm s (median) | statements | "
          "their SQL on PostgreSQL s | DuckDB cold s | "
          "DuckDB warm s | failed in DuckDB | rows differ | warm < 1 s | cold ≤ 3× DuckDB |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        print(f"| {r['programme']} | {r['ponte_cold_s']} | {r['ponte_warm_median_s']} | {r['statements']} | "
              f"{r['postgres_sql_s']} | "
              f"{r['duckdb_cold_s']} | {r['duckdb_warm_median_s']} | {len(r['duckdb_failed'])} | "
              f"{len(r['duckdb_differ'])} | {r['warm_under_1s']} | {r['cold_within_3x_duckdb']} |")  # fmt: skip
    print(f"\ndataset: {dataset}\nresults: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

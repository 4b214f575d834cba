"""Import benchmark: generate a realistic legacy CSV of persons (and of their cases), import it with full
validation through the real pipeline (upload, preview, commit, as a coordinator), and in the same run insert the
same rows bare with bulk_create (the limit). Prints rows per second and the ratio; writes bench/results/*.json.

Usage: .venv/bin/python bench/imports.py [--persons 100000] [--cases 20000] [--seed 7]
PostgreSQL when DATABASE_URL is set (the bench always uses its own database `ponte_import_bench` on that server,
dropped and created again at each run), otherwise SQLite in var/bench/.
"""

import argparse
import contextlib
import csv
import datetime
import io
import json
import os
import random
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCH_DB = "ponte_import_bench"
ORG_NAME = "ASST Bench Import"
UNIT_NAME = "Polo Lavoro Bench"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000, help="rows of the persons file")
    parser.add_argument("--cases", type=int, default=20_000, help="rows of the cases file (0: none)")
    parser.add_argument("--paths", type=int, default=0, help="rows of the paths file (0: none; the issue's: 300000)")
    parser.add_argument("--hosts", type=int, default=400, help="host organisations the paths are spread over")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated population")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="persons",
        default="",
        help="profile the commit of this layout (persons when not named; cProfile, top 25)",
    )
    return parser.parse_args()


# -- database ---------------------------------------------------------------------------------------------


def bench_database_url() -> tuple[str, str]:
    """(URL of a fresh bench database, vendor): dropped and created again, so every run starts empty."""
    source = os.environ.get("DATABASE_URL", "")
    if not source.startswith(("postgres://", "postgresql://")):
        path = ROOT / "var" / "bench" / f"{BENCH_DB}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}", "sqlite"
    import psycopg

    parts = urlsplit(source)
    server = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}")), "postgresql"


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.IMPORT_MAX_BYTES = 200 * 1024 * 1024


# -- the files ----------------------------------------------------------------------------------------------

PERSON_COLUMNS = [
    "source_system", "source_id", "fiscal_code", "last_name", "first_name", "sex", "birth_date", "birth_place",
    "residence_comune", "residence_municipio", "phone", "education", "civil_invalidity_percent", "law68_registered",
    "law68_registered_on", "consent_care_given_on", "consent_statistics_given_on",
]  # fmt: skip
CASE_COLUMNS = ["source_system", "source_id", "person_source_id", "unit", "area", "opened_on", "status", "closed_on",
                "closing_reason"]  # fmt: skip
PATH_COLUMNS = ["source_system", "source_id", "person_source_id", "kind", "host", "title", "starts_on",
                "planned_end_on", "status", "ended_on", "interruption_reason", "hours_per_week", "days_per_week",
                "beneficiary_category", "monthly_indemnity", "meal_vouchers"]  # fmt: skip
# Kinds as an old system words them, weighted as in seed 000 (courses and internships most, then hirings).
PATH_KINDS = [("corso", 30), ("tirocinio", 30), ("tirocinio di inclusione", 10), ("assunzione a tempo determinato", 12),
              ("assunzione a tempo indeterminato", 5), ("assunzione L68", 5), ("cooperativa B", 5),
              ("volontariato", 3)]  # fmt: skip
INTERNSHIPS = {"tirocinio", "tirocinio di inclusione"}
HIRINGS = {"assunzione a tempo determinato", "assunzione a tempo indeterminato", "assunzione L68", "cooperativa B"}
# The earliest start of an internship Ponte checks against rules it holds (DGR X/7763/2018).
RULES_FROM = datetime.date(2018, 3, 1)
EDUCATION = ["licenza media", "diploma", "qualifica", "elementare", "laurea", ""]
REASONS = ["obiettivi raggiunti", "abbandono", "trasferimento", "scelta della persona", "cambio residenza"]


def generate(n_persons: int, n_cases: int, seed: int) -> tuple[bytes, bytes, list[dict]]:
    """A persons file as an old system exports it (`;`, Italian dates and words), and a cases file."""
    from demo import datasets
    from demo.fiscal import fiscal_code

    rng = random.Random(seed)
    comuni = datasets.comuni()
    weights = [c.birth_weight for c in comuni]
    surnames = datasets.surnames()
    names = {"F": datasets.first_names("F"), "M": datasets.first_names("M")}
    seen: set[str] = set()
    people: list[dict] = []
    while len(people) < n_persons:
        sex = rng.choice("FM")
        last, first = rng.choice(surnames), rng.choice(names[sex])
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(55 * 365))
        place = rng.choices(comuni, weights)[0]
        code = fiscal_code(last_name=last, first_name=first, sex=sex, birth_date=born, belfiore=place.belfiore)
        if code in seen:
            continue
        seen.add(code)
        invalid = rng.random() < 0.4
        consent = datetime.date(2012, 1, 1) + datetime.timedelta(days=rng.randrange(12 * 365))
        people.append(
            {
                "source_system": "SIAL",
                "source_id": str(100_000 + len(people)),
                "fiscal_code": code,
                "last_name": last,
                "first_name": first,
                "sex": sex,
                "birth_date": born.strftime("%d/%m/%Y"),
                "birth_place": place.name,
                "birth_place_code": place.belfiore,
                "residence_comune": "Milano",
                "residence_municipio": str(rng.randint(1, 9)),
                "phone": f"+39 3{rng.randrange(10**8, 10**9)}",
                "education": rng.choice(EDUCATION),
                "civil_invalidity_percent": str(rng.choice([46, 67, 74, 80, 100])) if invalid else "",
                "law68_registered": "sì" if invalid else "no",
                "law68_registered_on": (consent - datetime.timedelta(days=200)).strftime("%d/%m/%Y") if invalid else "",
                "consent_care_given_on": consent.strftime("%d/%m/%Y"),
                "consent_statistics_given_on": consent.strftime("%d/%m/%Y") if rng.random() < 0.5 else "",
            }
        )
    cases = []
    for index in range(min(n_cases, n_persons)):
        person = people[index]
        opened = datetime.date(2012, 1, 1) + datetime.timedelta(days=rng.randrange(12 * 365))
        closed = opened + datetime.timedelta(days=rng.randrange(60, 1500)) if rng.random() < 0.6 else None
        if closed and closed > datetime.date.today():
            closed = None
        cases.append(
            {
                "source_system": "SIAL",
                "source_id": f"C{index}",
                "person_source_id": person["source_id"],
                "unit": UNIT_NAME,
                "area": rng.choice(["lavoro", "lavoro", "casa"]),
                "opened_on": opened.strftime("%d/%m/%Y"),
                "status": "chiusa" if closed else "aperta",
                "closed_on": closed.strftime("%d/%m/%Y") if closed else "",
                "closing_reason": rng.choice(REASONS) if closed else "",
            }
        )
    return _csv(people, PERSON_COLUMNS), _csv(cases, CASE_COLUMNS), people


def host_name(index: int) -> str:
    return f"Impresa Ospitante {index:04d} S.r.l."


def generate_paths(people: list[dict], n_paths: int, n_hosts: int, seed: int) -> tuple[bytes, list[dict]]:
    """A paths file for the persons: kinds as weighted above, starts from 2012 (internships from the rules in
    Ponte), states as the dates make them (ended in the past, running now, a few planned), at most one path of a
    person at a time. Internships keep the Lombardy rules: disabled category, 6 to 12 months, €500 a month."""
    rng = random.Random(seed + 1)
    today = datetime.date.today()
    kinds = [k for k, _w in PATH_KINDS]
    weights = [w for _k, w in PATH_KINDS]
    rows: list[dict] = []
    person_index = 0
    while len(rows) < n_paths:
        person = people[person_index % len(people)]
        person_index += 1
        count = min(rng.choice([1, 2, 3, 3, 4, 5]), n_paths - len(rows))
        day = datetime.date(2012, 1, 1) + datetime.timedelta(days=rng.randrange(10 * 365))
        for _n in range(count):
            kind = rng.choices(kinds, weights)[0]
            if kind in INTERNSHIPS and day < RULES_FROM:
                day = RULES_FROM + datetime.timedelta(days=rng.randrange(300))
            if day > today:
                break
            months = rng.randint(6, 12) if kind in INTERNSHIPS else rng.randint(2, 36)
            planned_end = day + datetime.timedelta(days=30 * months - 1)
            if kind in INTERNSHIPS:
                planned_end = min(planned_end, day + datetime.timedelta(days=364))
            length = rng.randint(30, max(31, (planned_end - day).days))
            end = day + datetime.timedelta(days=length)
            if day > today - datetime.timedelta(days=20) and rng.random() < 0.5:
                status, ended = "programmato", None
            elif end >= today:
                status, ended = "in corso", None
            elif rng.random() < 0.75:
                status, ended = "concluso", end
            else:
                status, ended = "interrotto", end
            internship = kind in INTERNSHIPS
            rows.append(
                {
                    "source_system": "SIAL",
                    "source_id": f"P{len(rows)}",
                    "person_source_id": person["source_id"],
                    "kind": kind,
                    "host": host_name(rng.randrange(n_hosts)),
                    "title": rng.choice(["Magazziniere", "Aiuto cuoco", "Addetto pulizie", "Impiegato", "Giardiniere"]),
                    "starts_on": day.strftime("%d/%m/%Y"),
                    "planned_end_on": planned_end.strftime("%d/%m/%Y") if internship or kind in HIRINGS else "",
                    "status": status,
                    "ended_on": ended.strftime("%d/%m/%Y") if ended else "",
                    "interruption_reason": rng.choice(["abbandono", "salute", "scelta della persona"])
                    if status == "interrotto"
                    else "",
                    "hours_per_week": "20",
                    "days_per_week": "5",
                    "beneficiary_category": "disabile" if internship else "",
                    "monthly_indemnity": "500" if internship else "",
                    "meal_vouchers": "no" if internship else "",
                }
            )
            day = (ended or planned_end) + datetime.timedelta(days=rng.randint(15, 200))
            if status in ("programmato", "in corso"):
                break
    return _csv(rows, PATH_COLUMNS), rows


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
    return buffer.getvalue().encode("cp1252")  # what Excel in Italian saves


# -- the runs -------------------------------------------------------------------------------------------------


def arrange(n_hosts: int = 0):
    """The importing organisation, its unit and its coordinator, and the host companies of the paths."""
    from accounts.choices import OrganisationKind, Role, UnitKind
    from accounts.models import Membership, Organisation, Unit, User
    from opportunities.models import EmployerProfile

    rng = random.Random(11)
    for index in range(n_hosts):
        host = Organisation.objects.create(name=host_name(index), kind=OrganisationKind.COMPANY)
        EmployerProfile.objects.create(organisation=host, employees=rng.randint(400, 3000), comune="Milano")
    org = Organisation.objects.create(name=ORG_NAME, short_name="Bench", kind=OrganisationKind.ASST)
    unit = Unit.objects.create(organisation=org, name=UNIT_NAME, kind=UnitKind.POLO_LAVORO)
    user = User.objects.create_user(username="bench_coordinator", password=secrets.token_urlsafe(16))
    Membership.objects.create(user=user, unit=unit, role=Role.COORDINATOR)
    return org, unit, user


def bare_insert(people: list[dict], case_data: bytes, org, unit, user) -> dict:
    """The same rows straight into the tables with bulk_create, parsed as little as possible: the limit.

    Everything is inserted in one transaction that is then rolled back, so that the tables are empty again for
    the real import (deleting 100,000 persons through the ORM's collector takes longer than inserting them).
    """
    from django.db import transaction

    from cases.models import Case
    from people.models import Consent, Person

    def day(text):
        return datetime.datetime.strptime(text, "%d/%m/%Y").date() if text else None

    educations = {"licenza media": "lower_secondary", "diploma": "upper_secondary", "qualifica": "vocational",
                  "elementare": "primary", "laurea": "tertiary", "": ""}  # fmt: skip
    outer = transaction.atomic()
    outer.__enter__()
    started = time.perf_counter()
    with transaction.atomic():
        persons = Person.objects.bulk_create(
            [
                Person(
                    fiscal_code=p["fiscal_code"], last_name=p["last_name"], first_name=p["first_name"], sex=p["sex"],
                    birth_date=day(p["birth_date"]), birth_place=p["birth_place"],
                    birth_place_code=p["birth_place_code"], residence_comune=p["residence_comune"],
                    residence_municipio=int(p["residence_municipio"]), phone=p["phone"],
                    education=educations[p["education"]],
                    civil_invalidity_percent=int(p["civil_invalidity_percent"] or 0) or None,
                    law68_registered=p["law68_registered"] == "sì", law68_registered_on=day(p["law68_registered_on"]),
                    registered_by=org,
                )
                for p in people
            ],
            batch_size=2000,
        )  # fmt: skip
        consents = []
        for person, p in zip(persons, people, strict=True):
            for purpose, column in (("care", "consent_care_given_on"), ("statistics", "consent_statistics_given_on")):
                if p[column]:
                    consents.append(
                        Consent(person=person, purpose=purpose, organisation=org, given_on=day(p[column]),
                                recorded_by=user, recorded_by_organisation=org)
                    )  # fmt: skip
        Consent.objects.bulk_create(consents, batch_size=2000)
    persons_seconds = time.perf_counter() - started
    by_source = {p["source_id"]: person for person, p in zip(persons, people, strict=True)}
    reader = csv.DictReader(io.StringIO(case_data.decode("cp1252")), delimiter=";")
    areas = {"lavoro": "work", "casa": "housing"}
    reasons = {"obiettivi raggiunti": "goals_met", "abbandono": "drop_out", "trasferimento": "transferred",
               "scelta della persona": "person_choice", "cambio residenza": "moved"}  # fmt: skip
    started = time.perf_counter()
    rows = list(reader)
    with transaction.atomic():
        Case.objects.bulk_create(
            [
                Case(
                    person=by_source[r["person_source_id"]], organisation=org, unit=unit, area=areas[r["area"]],
                    opened_on=day(r["opened_on"]), closed_on=day(r["closed_on"]),
                    status="closed" if r["closed_on"] else "open", closing_reason=reasons.get(r["closing_reason"], ""),
                )
                for r in rows
            ],
            batch_size=2000,
        )  # fmt: skip
    cases_seconds = time.perf_counter() - started
    transaction.set_rollback(True)
    outer.__exit__(None, None, None)
    assert not Person.objects.exists()
    return {"persons": (len(people), persons_seconds), "cases": (len(rows), cases_seconds)}


def bare_paths(rows: list[dict], org) -> tuple[int, float]:
    """The paths straight into their table with bulk_create (no history, no checks), rolled back: the limit."""
    from django.db import transaction

    from accounts.models import Organisation
    from imports.models import SourceKey
    from paths.models import Path

    kinds = {"corso": "course", "tirocinio": "internship", "tirocinio di inclusione": "inclusion_internship",
             "assunzione a tempo determinato": "hiring_fixed", "assunzione a tempo indeterminato": "hiring_open",
             "assunzione L68": "law68_hiring", "cooperativa B": "coop_b", "volontariato": "volunteering"}  # fmt: skip
    statuses = {"programmato": "planned", "in corso": "active", "concluso": "completed", "interrotto": "interrupted"}
    reasons = {"abbandono": "drop_out", "salute": "health", "scelta della persona": "person_choice", "": ""}
    persons = dict(SourceKey.objects.filter(entity="persons").values_list("source_id", "person_id"))
    hosts = dict(Organisation.objects.filter(kind="company").values_list("name", "pk"))

    def day(text):
        return datetime.datetime.strptime(text, "%d/%m/%Y").date() if text else None

    with transaction.atomic():
        started = time.perf_counter()
        Path.objects.bulk_create(
            [
                Path(
                    person_id=persons[r["person_source_id"]], organisation=org, host_id=hosts[r["host"]],
                    kind=kinds[r["kind"]], status=statuses[r["status"]], title=r["title"],
                    starts_on=day(r["starts_on"]), planned_end_on=day(r["planned_end_on"]), ended_on=day(r["ended_on"]),
                    interruption_reason=reasons[r["interruption_reason"]], hours_per_week=int(r["hours_per_week"]),
                    days_per_week=int(r["days_per_week"]),
                    beneficiary_category="disabled" if r["beneficiary_category"] else "",
                    monthly_indemnity=int(r["monthly_indemnity"]) if r["monthly_indemnity"] else None,
                    meal_vouchers=False,
                )
                for r in rows
                if r["person_source_id"] in persons  # a person held for review is not in: nor are their paths
            ],
            batch_size=2000,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return len(rows), seconds


def vacuum(vendor: str) -> None:
    """Clear away the rows of a bare insert that was rolled back, as autovacuum would before the import on a
    live server (the bench's server may run without autovacuum)."""
    if vendor == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM")


def split(data: bytes, rows: int) -> list[bytes]:
    """A CSV file cut into files of at most `rows` rows, each with the header: what a user does with a file
    above the import's limit of rows (settings.IMPORT_MAX_ROWS)."""
    lines = data.split(b"\r\n")
    header, body = lines[0], [line for line in lines[1:] if line]
    return [b"\r\n".join([header, *body[i : i + rows]]) + b"\r\n" for i in range(0, len(body), rows)]


def pipeline_files(user, entity: str, data: bytes, *, profile: bool = False) -> dict:
    """pipeline() over the file, cut in as many files as the import's limit of rows needs; times and counts added."""
    from django.conf import settings

    limit = int(getattr(settings, "IMPORT_MAX_ROWS", 200_000))
    total = {"counts": {}, "preview_seconds": 0.0, "commit_seconds": 0.0}
    for part in split(data, limit // 2 if data.count(b"\r\n") > limit else limit):
        measured = pipeline(user, entity, part, profile=profile)
        for key, value in measured["counts"].items():
            total["counts"][key] = total["counts"].get(key, 0) + value
        total["preview_seconds"] += measured["preview_seconds"]
        total["commit_seconds"] += measured["commit_seconds"]
    return total


class SqlTimes:
    """An execute wrapper that adds up the wall time of the statements of a commit by their first words: which
    statements grow as the tables fill, besides cProfile's view of the Python side."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(str(sql).split())[:110]
            self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started
            self.calls[key] = self.calls.get(key, 0) + 1

    def print(self, total: float, top: int = 15) -> None:
        print(f"SQL: {sum(self.seconds.values()):.1f} s of {total:.1f} s in {sum(self.calls.values()):,} statements")
        for key, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1])[:top]:
            print(f"{seconds:8.2f} s {self.calls[key]:7,}  {key}")


def pipeline(user, entity: str, data: bytes, *, profile: bool = False) -> dict:
    """Upload, preview and commit through imports.services, as the coordinator: full validation, access, audit."""
    from django.db import connection

    from imports import services

    run = services.import_upload(actor=user, filename=f"{entity}.csv", data=data, entity=entity)
    started = time.perf_counter()
    run = services.import_preview(actor=user, run=run)
    preview_seconds = time.perf_counter() - started
    assert run.status == "previewed", run.error
    profiler = None
    statements = SqlTimes()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    with connection.execute_wrapper(statements) if profile else contextlib.nullcontext():
        run = services.import_commit(actor=user, run=run)
    commit_seconds = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(
            int(os.environ.get("BENCH_PROFILE_TOP", "25"))
        )
        statements.print(commit_seconds)
    assert run.status == "done", run.error
    counts = {k: v for k, v in run.counts.items() if k != "notes"}
    return {"counts": counts, "preview_seconds": preview_seconds, "commit_seconds": commit_seconds}


def rate(rows: int, seconds: float) -> float:
    return round(rows / seconds, 1) if seconds else 0.0


def main() -> int:
    args = parse_args()
    database_url, vendor = bench_database_url()
    print(f"bench database: {vendor} ({database_url.rsplit('@', 1)[-1].rsplit('/', 1)[-1]})", flush=True)
    setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "--noinput", verbosity=0)
    org, unit, user = arrange(args.hosts if args.paths else 0)
    started = time.perf_counter()
    persons_csv, cases_csv, people = generate(args.persons, args.cases, args.seed)
    print(f"generated {args.persons:,} persons and {args.cases:,} cases in {time.perf_counter() - started:.1f} s "
          f"({len(persons_csv) / 1e6:.1f} MB + {len(cases_csv) / 1e6:.1f} MB)", flush=True)  # fmt: skip
    paths_csv, path_rows = generate_paths(people, args.paths, args.hosts, args.seed) if args.paths else (b"", [])
    if args.paths:
        print(f"generated {len(path_rows):,} paths ({len(paths_csv) / 1e6:.1f} MB)", flush=True)
    bare = bare_insert(people, cases_csv, org, unit, user)
    vacuum(vendor)
    del people
    print("bare bulk insert: " + ", ".join(f"{k} {n:,} rows in {s:.1f} s" for k, (n, s) in bare.items()), flush=True)
    results = {}
    layouts = [("persons", persons_csv)] + ([("cases", cases_csv)] if args.cases else [])
    layouts += [("paths", paths_csv)] if args.paths else []
    for entity, data in layouts:
        if entity == "paths":
            bare["paths"] = bare_paths(path_rows, org)  # the persons are in now
            path_rows = []  # a worker holds no such list while it imports: nor does the measured process
            vacuum(vendor)
            print(f"bare bulk insert: paths {bare['paths'][0]:,} rows in {bare['paths'][1]:.1f} s", flush=True)
        measured = pipeline_files(user, entity, data, profile=args.profile == entity)
        rows, bare_seconds = bare[entity]
        full = measured["preview_seconds"] + measured["commit_seconds"]
        results[entity] = {
            "rows": rows,
            "counts": measured["counts"],
            "preview_seconds": round(measured["preview_seconds"], 2),
            "commit_seconds": round(measured["commit_seconds"], 2),
            "preview_rows_per_s": rate(rows, measured["preview_seconds"]),
            "commit_rows_per_s": rate(rows, measured["commit_seconds"]),
            "preview_and_commit_rows_per_s": rate(rows, full),
            "bare_seconds": round(bare_seconds, 2),
            "bare_rows_per_s": rate(rows, bare_seconds),
            "ratio_commit_to_bare": round(bare_seconds / measured["commit_seconds"], 4),
        }
        print(f"{entity}: {measured['counts']}", flush=True)
    from bench.run import machine

    report = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": vendor,
        "server_version": connection.cursor().connection.info.server_version if vendor == "postgresql" else None,
        "machine": machine(),
        "target_rows_per_s": 2000,
        "args": vars(args),
        "results": results,
    }
    print("\n| layout | rows | preview rows/s | commit rows/s | preview+commit rows/s | bare rows/s | commit/bare |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for entity, r in results.items():
        print(f"| {entity} | {r['rows']:,} | {r['preview_rows_per_s']:,} | {r['commit_rows_per_s']:,} | "
              f"{r['preview_and_commit_rows_per_s']:,} | {r['bare_rows_per_s']:,} | 1 : "
              f"{1 / r['ratio_commit_to_bare']:.0f} |")  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"imports-{stamp}-{vendor}.json"
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

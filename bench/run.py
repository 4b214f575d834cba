"""Page benchmark: seed a dedicated database, serve it with gunicorn (DEBUG off), load it, report.

Usage: .venv/bin/python bench/run.py [--persons 100000] [--clients 8] [--requests 2000] [--duration 60]
PostgreSQL when DATABASE_URL is set (the bench always uses its own database `ponte_bench` on that server),
otherwise SQLite in var/bench/. Results go to bench/results/<timestamp>.json and a markdown table on stdout.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
HOST = "127.0.0.1"  # the load never leaves this machine
BENCH_DB = "ponte_bench"


def parse_args() -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000, help="persons in the bench database")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive clients (threads)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per endpoint, at most")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per endpoint, at most")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--user", default="operatore.sacco", help="demo account the clients sign in as")
    parser.add_argument("--page-size-param", default="page_size", help="query parameter of the list's page size")
    parser.add_argument("--list-filter", default="area=work", help="extra filter for the filtered list, as key=value")
    parser.add_argument("--seed", type=int, default=7321, help="seed of seed_demo and of the id sampling")
    parser.add_argument("--pairs", type=int, default=10, help="alternating rounds of the detail and limit loads")
    parser.add_argument("--pair-requests", type=int, default=400, help="requests per endpoint in each round")
    return parser.parse_args()


# -- database ---------------------------------------------------------------------------------------------


def bench_database_url() -> tuple[str, str]:
    """(URL of the bench database, vendor); creates the PostgreSQL database when missing."""
    source = os.environ.get("DATABASE_URL", "")
    if not source.startswith(("postgres://", "postgresql://")):
        path = ROOT / "var" / "bench" / f"{BENCH_DB}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}", "sqlite"
    import psycopg

    # Same server and credentials, always the bench's own database: the dev database is never touched.
    parts = urlsplit(source)
    server = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    bench_url = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    return bench_url, "postgresql"


def child_env(database_url: str, secret_key: str) -> dict[str, str]:
    """Environment of every process of the run: bench settings, bench database, DEBUG off."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secret_key,
            "DEBUG": "0",
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> float:
    """Run a manage.py command to completion; the seconds it took."""
    started = time.monotonic()
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)  # noqa: S603
    return time.monotonic() - started


# -- in-process measurements --------------------------------------------------------------------------------


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process with the same settings and database as the server."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pick_targets(username: str, seed: int) -> dict:
    """Real ids and a surname within the user's reach, and the dataset's size."""
    from django.db.models import Count

    from accounts.models import User
    from cases.models import Case, Referral
    from people.models import Consent, Person

    user = User.objects.get(username=username)
    reach = Person.objects.restrict(user, "view")
    ids = list(reach.values_list("pk", flat=True))
    rng = random.Random(seed)
    sample = rng.sample(ids, min(500, len(ids)))
    # The commonest surname in reach, so that page 2 of the search exists at every page size.
    surname = reach.values("last_name").annotate(n=Count("pk")).order_by("-n", "last_name").first()["last_name"]
    return {
        "person_ids": sample,
        "surname": surname,
        "surname_matches": reach.filter(last_name=surname).count(),
        "reach": len(ids),
        "dataset": {
            "persons": Person.objects.count(),
            "consents": Consent.objects.count(),
            "cases": Case.objects.count(),
            "referrals": Referral.objects.count(),
            "users": User.objects.count(),
        },
    }


def list_query_counts(username: str, surname: str, args: argparse.Namespace) -> dict:
    """Queries of the list page (search, page 2) at page sizes 25, 50 and 100, with the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client(HTTP_HOST=HOST)
    client.force_login(User.objects.get(username=username))
    counts = {}
    for size in (25, 50, 100):
        query = urlencode({"q": surname, "page": 2, args.page_size_param: size})
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/persons/?{query}")
        counts[str(size)] = {"status": response.status_code, "queries": len(captured)}
    return counts


# -- server -------------------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str], port: int, args: argparse.Namespace) -> subprocess.Popen:
    """gunicorn with gthread workers (keep-alive), waiting until /healthz answers."""
    command = [
        str(Path(PYTHON).parent / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(args.threads),
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    """Stop the gunicorn this script started (its own process group)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
    """name=value of every Set-Cookie header."""
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def sign_in(port: int, username: str, password: str) -> str:
    """A real sign-in through the form (GET for the CSRF token, POST); the Cookie header to reuse."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode()
    jar = cookies_of(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        },
    )
    response = conn.getresponse()
    response.read()
    jar.update(cookies_of(response))
    if response.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"sign-in as {username} failed: HTTP {response.status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


# -- load ---------------------------------------------------------------------------------------------------


def drive(port: int, cookie: str, paths: list[str], args: argparse.Namespace) -> dict:
    """`args.clients` threads, each on one keep-alive connection, until the request or time budget ends."""
    lock = threading.Lock()
    issued = [0]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]
    deadline = time.monotonic() + args.duration

    def client() -> None:
        """One connection, reopened only if the server closes it."""
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[float] = []
        seen: dict[int, int] = {}
        while time.monotonic() < deadline:
            with lock:
                if issued[0] >= args.requests:
                    break
                n = issued[0]
                issued[0] += 1
            started = time.perf_counter()
            try:
                conn.request("GET", paths[n % len(paths)], headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                with lock:
                    errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
            seen[response.status] = seen.get(response.status, 0) + 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
        conn.close()
        with lock:
            latencies.extend(mine)
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float | None:
        """The p-th percentile in milliseconds."""
        if not latencies:
            return None
        return round(1000 * latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 1)

    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "throughput_rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(1000 * statistics.fmean(latencies), 1) if latencies else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": errors[0],
    }


def paired(port: int, cookie: str, paths: dict[str, list[str]], args: argparse.Namespace) -> dict:
    """The record page and the limit view in short alternating rounds, and the ratio of each round.

    The machines this runs on change speed from minute to minute (the limit view alone has ranged from 456 to 655
    req/s with the same code), and the full loads of the two endpoints are minutes apart: their ratio carries that
    drift. Each round loads one then the other within seconds, the order swapped every round.
    """
    short = argparse.Namespace(**{**vars(args), "requests": args.pair_requests, "duration": 30})
    rounds = []
    for n in range(args.pairs):
        order = ("person_detail", "limit") if n % 2 == 0 else ("limit", "person_detail")
        loads = {name: drive(port, cookie, paths[name], short) for name in order}
        if all(load["requests"] and load["statuses"].get("200", 0) == load["requests"] for load in loads.values()):
            rounds.append(round(loads["person_detail"]["throughput_rps"] / loads["limit"]["throughput_rps"], 3))
    return {
        "rounds": args.pairs,
        "requests_per_endpoint": args.pair_requests,
        "ratios": rounds,
        "median_ratio": statistics.median(rounds) if len(rounds) == args.pairs else None,
    }


def endpoints(targets: dict, args: argparse.Namespace) -> dict[str, list[str]]:
    """The URLs of each endpoint: (a) detail, (b) list and filtered list, (c) limit."""
    ids = targets["person_ids"]
    search = urlencode({"q": targets["surname"], "page": 2})
    return {
        "person_detail": [f"/persons/{pk}/" for pk in ids],
        "person_list": [f"/persons/?{search}"],
        "person_list_filtered": [f"/persons/?{search}&{args.list_filter}"],
        "limit": [f"/bench/limit/{pk}/" for pk in ids],
    }


# -- report -------------------------------------------------------------------------------------------------


def machine() -> dict:
    """What the figures were measured on."""
    mem_kib = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": platform.platform(),
        "python_loop_seconds": python_loop_seconds(),
    }


def python_loop_seconds() -> float:
    """Seconds one core takes for a fixed pure-Python loop (the best of three): how fast the machine was, to compare
    runs made on different days, since virtual machines of the same size differ (and vary) in speed."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for n in range(2_000_000):
            total += n * n
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


def verdict(result: dict) -> dict:
    """The targets of docs/benchmarks.md, each pass/fail/not measurable."""
    loads = result["load"]
    detail, limit = loads["person_detail"], loads["limit"]
    measurable = detail["statuses"].get("200", 0) == detail["requests"] > 0 and limit["requests"] > 0
    ratio = detail["throughput_rps"] / limit["throughput_rps"] if measurable and limit["throughput_rps"] else None
    queries = [v["queries"] for v in result["list_queries"].values() if v["status"] == 200]
    paired_ratio = result["paired"]["median_ratio"]
    return {
        "detail_vs_limit_ratio": round(ratio, 3) if ratio is not None else None,
        "detail_ratio_ge_30pct": None if ratio is None else ratio >= 0.30,
        "paired_median_ratio": paired_ratio,
        "paired_median_ratio_ge_30pct": None if paired_ratio is None else paired_ratio >= 0.30,
        "detail_p95_lt_50ms": None if not measurable else detail["p95_ms"] < 50,
        "list_queries_constant": None if len(queries) < 3 else len(set(queries)) == 1,
    }


def markdown(result: dict) -> str:
    """The table printed at the end and pasted into docs/benchmarks.md."""
    lines = [
        "| endpoint | requests | statuses | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for name, load in result["load"].items():
        statuses = ", ".join(f"{k}×{v}" for k, v in load["statuses"].items()) or "–"
        lines.append(
            f"| {name} | {load['requests']} | {statuses} | {load['throughput_rps']} | {load['p50_ms']} | "
            f"{load['p95_ms']} | {load['p99_ms']} |"
        )
    lines.append("")
    lines.append("| list page size | status | queries |")
    lines.append("|---:|---|---:|")
    for size, count in result["list_queries"].items():
        lines.append(f"| {size} | {count['status']} | {count['queries']} |")
    lines.append("")
    v = result["verdict"]
    lines.append(
        f"- detail / limit throughput: {v['detail_vs_limit_ratio']} (target ≥ 0.30: "
        f"{_word(v['detail_ratio_ge_30pct'])})"
    )
    pairs = result["paired"]
    ratios = pairs["ratios"]
    spread = f", {min(ratios)}–{max(ratios)}" if ratios else ""
    lines.append(
        f"- the same in {pairs['rounds']} alternating rounds of {pairs['requests_per_endpoint']} requests each: "
        f"median {v['paired_median_ratio']}{spread} (target ≥ 0.30: {_word(v['paired_median_ratio_ge_30pct'])})"
    )
    lines.append(f"- detail p95 < 50 ms: {_word(v['detail_p95_lt_50ms'])}")
    lines.append(f"- list queries constant across page sizes: {_word(v['list_queries_constant'])}")
    return "\n".join(lines)


def _word(flag: bool | None) -> str:
    """pass / FAIL / not measurable."""
    return "not measurable" if flag is None else ("pass" if flag else "FAIL")


def main() -> int:
    """Prepare the database, serve, sign in, load each endpoint, write the results."""
    args = parse_args()
    database_url, vendor = bench_database_url()
    env = child_env(database_url, secrets.token_urlsafe(48))
    print(f"bench database: {vendor} ({database_url.rsplit('@', 1)[-1]})", flush=True)
    manage(env, "migrate", "--noinput", "-v0")
    seed_seconds = manage(
        env, "seed_demo", "--persons", str(args.persons), "--seed", str(args.seed), "--force", "--registry-only"
    )
    setup_django(env)
    from django.conf import settings
    from django.db import connection

    if vendor == "postgresql":
        # A live database has its statistics from autovacuum; a freshly seeded one must be analysed, or the
        # planner works from empty-table estimates.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    targets = pick_targets(args.user, args.seed)
    list_queries = list_query_counts(args.user, targets["surname"], args)
    db_version = connection.pg_version if vendor == "postgresql" else None
    connection.close()

    port = free_port()
    server = start_server(env, port, args)
    try:
        cookie = sign_in(port, args.user, settings.PONTE_DEMO_PASSWORD)
        load = {}
        urls = endpoints(targets, args)
        for name, paths in urls.items():
            warm = argparse.Namespace(**{**vars(args), "requests": min(50, args.requests), "duration": 10})
            drive(port, cookie, paths, warm)  # warm-up: connections, caches, first-request imports
            print(f"loading {name} …", flush=True)
            load[name] = drive(port, cookie, paths, args)
        print(f"loading person_detail and limit in {args.pairs} alternating rounds …", flush=True)
        pairs = paired(port, cookie, urls, args)
    finally:
        stop_server(server)

    result = {
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": {"vendor": vendor, "server_version": db_version},
        "server": {"gunicorn_workers": args.workers, "threads": args.threads, "worker_class": "gthread"},
        "clients": args.clients,
        "requests_per_endpoint": args.requests,
        "max_seconds_per_endpoint": args.duration,
        "user": args.user,
        "reach": targets["reach"],
        "surname": targets["surname"],
        "surname_matches": targets["surname_matches"],
        "dataset": targets["dataset"],
        "seed_seconds": round(seed_seconds, 1),
        "list_queries": list_queries,
        "load": load,
        "paired": pairs,
    }
    result["verdict"] = verdict(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{datetime.datetime.now():%Y%m%d-%H%M%S}-{vendor}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(markdown(result))
    print(f"\nresults: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

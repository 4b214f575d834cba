"""Browser tests: a real Ponte server on a fresh database, driven by Debian's chromium through Playwright.

Audit rows are append-only (database triggers, audit/migrations/0002), so pytest-django's `live_server` and
`transactional_db`, which flush every table between tests, cannot be used. Instead the session gets its own
database (a SQLite file in a temporary directory, or a new PostgreSQL database when BROWSER_DATABASE_URL is set),
migrated and loaded with `seed_demo`, and a `manage.py runserver` subprocess on a free port. Nothing is ever
deleted: the database is thrown away whole at the end. See docs/development.md.

Every test under browser_tests/ is marked `browser`: `make test` leaves them out, `make test-browser` runs them.
"""

import datetime
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
AXE_JS = REPO / "static" / "vendor" / "axe-core" / "axe.min.js"
RESULTS_DIR = REPO / "test-results"

CHROMIUM = os.environ.get("PONTE_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags chromium keeps dialling Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The server's settings module; browser_tests/settings.py unless told otherwise.
SERVER_SETTINGS = os.environ.get("PONTE_BROWSER_SETTINGS", "browser_tests.settings")
DEMO_PASSWORD = "ponte-demo"
SEED_PERSONS = 150

# axe-core rule tags for WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

# Guards against a hung subprocess, not assertions about speed.
MIGRATE_TIMEOUT = 600
SEED_TIMEOUT = 900
STARTUP_TIMEOUT = 90


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark everything under browser_tests/ as `browser`, before `-m` selects."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (for screenshots) and attach the server's log to failures."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    server_log = getattr(item, "_ponte_server_log", None)
    if report.failed and server_log is not None:
        text = server_log()
        if text:
            report.sections.append(("ponte server log during this test", text))
    console = getattr(item, "_ponte_console", None)
    if report.failed and console:
        report.sections.append(("browser console errors", "\n".join(console)))
    return report


# --- the server ---------------------------------------------------------------------------------------------------


@dataclass
class PonteServer:
    """A running `manage.py runserver` on its own fresh database."""

    base_url: str
    database_url: str
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", errors="replace")


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join((text or "").splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fresh_database(workdir: Path):
    """A database URL no one has used yet, and a function that throws the database away."""
    pg_url = os.environ.get("BROWSER_DATABASE_URL")
    if not pg_url:
        return f"sqlite:///{workdir / 'ponte.sqlite3'}", lambda: None

    import psycopg
    from psycopg import sql

    parts = urlsplit(pg_url)
    name = f"{parts.path.lstrip('/') or 'ponte'}_browser_{secrets.token_hex(4)}"
    maintenance_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop():
        with psycopg.connect(maintenance_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def _manage(args: list[str], *, env: dict, log, timeout: int) -> None:
    """Run a management command to completion; fail the session with its output if it does not succeed."""
    command = f"manage.py {' '.join(args)}"
    log.write(f"\n$ {command}\n".encode())
    log.flush()
    try:
        done = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        output = (exc.output or b"").decode("utf-8", errors="replace")
        pytest.fail(f"`{command}` did not finish within {timeout}s:\n{_tail(output)}", pytrace=False)
    log.write(done.stdout)
    log.flush()
    if done.returncode != 0:
        output = done.stdout.decode("utf-8", errors="replace")
        pytest.fail(f"`{command}` exited with {done.returncode}:\n{_tail(output)}", pytrace=False)


def _require_seed_command() -> None:
    from django.core.management import get_commands

    if "seed_demo" not in get_commands():
        pytest.fail(
            "The browser tests need the `seed_demo` management command (demo/ app, "
            "`manage.py seed_demo --persons N --force`), and it is not installed: "
            "add the demo app to INSTALLED_APPS. No server was started.",
            pytrace=False,
        )


def _wait_until_healthy(process: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"runserver exited with {process.returncode} before answering /healthz:\n"
                f"{_tail(log_path.read_text(errors='replace'))}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:  # noqa: S310 - our server
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(exc)
        time.sleep(0.25)
    pytest.fail(
        f"runserver did not answer /healthz within {STARTUP_TIMEOUT}s ({last_error}):\n"
        f"{_tail(log_path.read_text(errors='replace'))}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def ponte_server(tmp_path_factory) -> PonteServer:
    """Ponte on a fresh, migrated, seeded database, served by runserver on a free port for the whole session."""
    _require_seed_command()
    workdir = tmp_path_factory.mktemp("ponte-server")
    database_url, drop_database = _fresh_database(workdir)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SERVER_SETTINGS,
        "PONTE_VAR_DIR": str(workdir),
        "DATABASE_URL": database_url,
        "PONTE_DEMO_PASSWORD": DEMO_PASSWORD,
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    log_path = workdir / "server.log"
    process = worker = None
    try:
        with log_path.open("ab") as log:
            _manage(["migrate", "--noinput"], env=env, log=log, timeout=MIGRATE_TIMEOUT)
            _manage(["seed_demo", "--persons", str(SEED_PERSONS), "--force"], env=env, log=log, timeout=SEED_TIMEOUT)
            # As `make run` does: the programmes name the demo organisations, so they come after seed_demo.
            _manage(["load_programmes"], env=env, log=log, timeout=SEED_TIMEOUT)
            _manage(["load_vocabulary"], env=env, log=log, timeout=SEED_TIMEOUT)
            port = _free_port()
            base_url = f"http://127.0.0.1:{port}"
            log.write(f"\n$ manage.py runserver 127.0.0.1:{port} --noreload --insecure\n".encode())
            log.flush()
            process = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            # As `make run` does: a task worker beside the server, for the work pages hand to the background
            # (imports, the programmes' annual reports).
            log.write(b"\n$ manage.py db_worker\n")
            log.flush()
            worker = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
                [sys.executable, "manage.py", "db_worker"],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_until_healthy(process, base_url, log_path)
        yield PonteServer(base_url=base_url, database_url=database_url, log_path=log_path, process=process)
    finally:
        for child in (worker, process):
            if child is not None and child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        drop_database()


@pytest.fixture(autouse=True)
def _attach_server_log(request):
    """Let a failing test's report show what the server logged while it ran (for tests that use the server)."""
    if "ponte_server" not in request.fixturenames:
        return
    server = request.getfixturevalue("ponte_server")
    offset = server.log_size()
    request.node._ponte_server_log = lambda: _tail(server.log_since(offset), 200)


# --- the browser --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Browser:
    """Debian's chromium, headless. Playwright never downloads a browser of its own here."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found. Install Debian's chromium: "
            "apt-get update && apt-get install -y --no-install-recommends chromium (see docs/development.md).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, ponte_server, request) -> Page:
    """A page in a fresh browser context (no cookies, no session), addressed relative to the server."""
    context = browser.new_context(
        base_url=ponte_server.base_url,
        locale="it-IT",
        timezone_id="Europe/Rome",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    console: list[str] = []
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    page.on("console", lambda msg: console.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
    request.node._ponte_console = console
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(RESULTS_DIR / f"{stem}.png"), full_page=True)
            (RESULTS_DIR / f"{stem}.html").write_text(page.content())
        except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the test's own failure
            console.append(f"(no screenshot: {exc})")
    context.close()


# --- helpers for tests --------------------------------------------------------------------------------------------


def path_of(page: Page) -> str:
    """The path of the page's current URL."""
    return urlsplit(page.url).path


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login page as a demo account; fail clearly if the login page is still there."""
    page.goto("/accounts/login/")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    if path_of(page).startswith("/accounts/login/"):
        alert = page.locator("main [role=alert]")
        message = alert.inner_text() if alert.count() else "no error shown"
        raise AssertionError(f"could not sign in as {username!r}: still on the login page ({message})")


def logout(page: Page) -> None:
    """Sign out with the header's sign-out button; Ponte then shows the login page."""
    with page.expect_navigation():
        page.locator("form[action$='/accounts/logout/'] [type=submit]").click()
    assert path_of(page).startswith("/accounts/login/"), f"after signing out the browser is on {page.url}"


def main_link_paths(page: Page) -> list[str]:
    """The paths of every link inside <main>, in document order."""
    return page.eval_on_selector_all("main a[href]", "links => links.map(a => a.pathname)")


def fill_field(scope: Page | Locator, name: str, value: str) -> None:
    """Fill a form field by its name, whatever its widget: text-like input, select, radio or checkbox."""
    fields = scope.locator(f"[name='{name}']")
    tag, kind = fields.first.evaluate("el => [el.tagName.toLowerCase(), (el.type || '').toLowerCase()]")
    if tag == "select":
        fields.first.select_option(value)
    elif kind in {"radio", "checkbox"}:
        scope.locator(f"[name='{name}'][value='{value}']").check()
    else:
        fields.first.fill(value)


def choose_option(scope: Page | Locator, name: str, *needles: str) -> str:
    """Select the option of select `name` whose label contains every needle (case-insensitive); return the label."""
    select = scope.locator(f"select[name='{name}']")
    options = select.locator("option").evaluate_all("os => os.map(o => ({value: o.value, label: o.textContent}))")
    wanted = [n.casefold() for n in needles]
    for option in options:
        label = " ".join(option["label"].split())
        if option["value"] and all(n in label.casefold() for n in wanted):
            select.select_option(option["value"])
            return label
    labels = [" ".join(o["label"].split()) for o in options]
    raise AssertionError(f"no option of {name!r} contains all of {needles}; the options are {labels}")


def form_with(page: Page, field_name: str) -> Locator:
    """The form on the page that holds the field `field_name`."""
    form = page.locator(f"form:has([name='{field_name}'])").first
    try:
        form.wait_for(state="attached")
    except PlaywrightTimeoutError:
        raise AssertionError(f"no form with a field named {field_name!r} on {page.url}") from None
    return form


def submit(form: Locator) -> None:
    """Submit `form` with its (first) submit button and wait for the answer: a new page, or an htmx swap."""
    page = form.page
    by_htmx = form.evaluate(
        "f => !!f.closest('[hx-post], [data-hx-post], [hx-put], [data-hx-put], [hx-boost=true], [data-hx-boost=true]')"
    )
    if by_htmx:
        with page.expect_response(lambda response: response.request.method != "GET"):
            form.locator("[type=submit]").first.click()
        page.wait_for_load_state("networkidle")
    else:
        with page.expect_navigation():
            form.locator("[type=submit]").first.click()


def form_errors(page: Page) -> list[str]:
    """Error messages that Django or Bootstrap Italia forms show, for readable failures."""
    return [
        " ".join(text.split())
        for text in page.locator(".errorlist, .invalid-feedback, .alert-danger").all_inner_texts()
        if text.strip()
    ]


# --- accessibility ------------------------------------------------------------------------------------------------

_AXE_SOURCE: str | None = None


def _axe_source() -> str:
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = AXE_JS.read_text(encoding="utf-8")
    return _AXE_SOURCE


def axe_violations(page: Page) -> list[dict]:
    """Run the vendored axe-core on the page as it is now, with the WCAG 2.x A/AA rules; return its violations."""
    page.wait_for_load_state("networkidle")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # evaluate() rather than a <script> tag, so that a Content-Security-Policy cannot stop it.
        page.evaluate(_axe_source())
    return page.evaluate(
        "async (options) => (await axe.run(document, options)).violations",
        {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {target}: {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail listing every serious or critical WCAG 2.x A/AA violation that axe-core finds on the page."""
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, (
        f"{len(blocking)} serious/critical accessibility violation(s) on {page.url}:\n{format_violations(blocking)}"
    )


def today_iso() -> str:
    return datetime.date.today().isoformat()

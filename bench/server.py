"""Load the main pages on a real server, each beside a page of the same layout and no data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ars_bench uv run --frozen python bench/server.py

Starts gunicorn (two sync workers, DEBUG off, as in production) on a free port of 127.0.0.1
against the database DATABASE_URL names, signs in through the sign-in pages as the people
bench/run.py opens pages as (staff with a code from their authenticator app), checks that every
page answers 200, then loads each page with wrk, two connections at a time, beside the empty
layout: the password-change page signed in, the sign-in page signed out. See bench/README.md for
the protocol and what each column means.
"""

import argparse
import datetime
import http.cookiejar
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

WRK_REPORT = Path(__file__).resolve().parent / "wrk_report.lua"
# Two cores carry the load generator, the server and the database: two workers and two
# connections keep each of them from queueing behind the others.
WORKERS = 2
CONNECTIONS = 2
THREADS = 2
# A slow page must be measured, not cut off: the reports page has taken seconds.
REQUEST_TIMEOUT = 120
START_TIMEOUT = 60
# A page slower than this share of a run gets longer runs (and warm-up), so that each connection
# is answered about this many times a run and the p95 rests on more than a handful of requests.
ANSWERS_PER_CONNECTION = 15
# The workers count as drained once they use less than this share of a core.
IDLE_SHARE = 0.05
DRAIN_TIMEOUT = 60


class Failed(Exception):
    """Something the measurement depends on went wrong: the run stops and says what."""


@dataclass(frozen=True)
class Page:
    name: str
    url_names: tuple
    who: str
    query: str = ""
    # Keep the report page's summary just before the page's round, as the worker would.
    report_summary: bool = False


PAGES = [
    Page("Researcher's dashboard", ("dashboard:home",), "researcher"),
    Page("Secretariat's dashboard", ("dashboard:home",), "secretariat"),
    Page(
        "Researcher's notifications",
        ("notifications:list", "notifications:notification_list"),
        "researcher",
    ),
    Page("Applications queue (secretariat)", ("accreditation:queue",), "secretariat"),
    Page("Researcher's projects", ("projects:proposal_list",), "researcher"),
    Page("Project register", ("project_register:list",), "anonymous"),
    Page("Project register, searched", ("project_register:list",), "anonymous", "?title=earnings"),
    Page("Proposal list (secretariat)", ("projects:secretariat_list",), "secretariat"),
    Page("Researcher register", ("researcher_register:list",), "anonymous"),
    Page(
        "Researcher register, searched", ("researcher_register:list",), "anonymous", "?name=patel"
    ),
    Page("Audit list", ("audit:event_list",), "secretariat"),
    Page(
        "Audit list, one action",
        ("audit:event_list",),
        "secretariat",
        "?action=output_request.submit",
    ),
    Page("Checkers' queue", ("outputs:queue",), "checker"),
    Page("Reports page", ("reports:report",), "secretariat", report_summary=True),
]
# The layout with nothing from the database in it, for the same person.
EMPTY_SIGNED_IN = Page("Password change", ("account_change_password",), "")
EMPTY_SIGNED_OUT = Page("Sign in", ("account_login",), "anonymous")


def path_for(page):
    from django.urls import NoReverseMatch, reverse

    for url_name in page.url_names:
        try:
            return reverse(url_name) + page.query
        except NoReverseMatch:
            continue
    raise Failed(f"{page.name}: no URL named {' or '.join(page.url_names)}")


# The server ------------------------------------------------------------------------------------


def database_url_for(settings_dict):
    """The URL of the database this process uses, for the server's processes."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    credentials = urllib.parse.quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    name = urllib.parse.quote(settings_dict["NAME"], safe="")
    return f"postgres://{credentials}@{host}{port}/{name}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_ticks(pids):
    """CPU time (user and system, in clock ticks) used so far by those of ``pids`` still running."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


def children_of(pid):
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return children


class Server:
    """gunicorn serving config.wsgi on a free port of 127.0.0.1, with DEBUG off and its static
    files collected first, as in production."""

    def __init__(self, *, database_url, static_root, log):
        self.environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "STATIC_ROOT": str(static_root),
        }
        self.log = log
        self.process = None
        self.url = ""

    def __enter__(self):
        # Without DEBUG, templates name static files by their hashed names, from the manifest.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=self.environment,
            check=True,
        )
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--timeout",
                str(REQUEST_TIMEOUT),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _wait_until_up(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failed(f"gunicorn stopped at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/health/", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise Failed(f"gunicorn did not answer within {START_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, lines=30):
        self.log.flush()
        self.log.seek(0)
        return "".join(self.log.readlines()[-lines:])

    def pids(self):
        return [self.process.pid, *children_of(self.process.pid)]

    def drain(self, pause):
        """Wait until the last run's requests are finished, in the workers and in the database,
        then ``pause`` seconds more: wrk stops sending when its time is up, but a request it
        sent last may still be running, and the next run must not start beside it."""
        interval = 0.2
        ticks_per_second = os.sysconf("SC_CLK_TCK")
        deadline = time.monotonic() + DRAIN_TIMEOUT
        before = cpu_ticks(self.pids())
        while time.monotonic() < deadline:
            time.sleep(interval)
            now = cpu_ticks(self.pids())
            idle = (now - before) / ticks_per_second <= IDLE_SHARE * interval
            if idle and not queries_running():
                break
            before = now
        time.sleep(pause)


def queries_running():
    """How many queries other connections are running in this database (PostgreSQL only)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND state = 'active' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


# Signing in through the pages ------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Response:
    url: str
    body: str


class Browser:
    """Keeps cookies and posts forms with their CSRF token, as a browser does."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _open(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # Only ever the server started here, on http://127.0.0.1.
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return Response(response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            raise Failed(f"{path} answered {error.code}") from None

    def get(self, path):
        return self._open(path)

    def submit(self, form_page, path, fields):
        """Post ``fields`` to ``path`` with the CSRF token of the form on ``form_page``."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page.body)
        if token is None:
            raise Failed(f"no form with a CSRF token on {form_page.url}")
        return self._open(path, {**fields, "csrfmiddlewaretoken": token.group(1)})

    def cookie(self, name):
        for cookie in self.jar:
            if cookie.name == name:
                return f"{cookie.name}={cookie.value}"
        return None


def totp_code(user, moment):
    """The code ``user``'s authenticator app shows at ``moment``, from the secret stored for it."""
    from allauth.mfa import app_settings
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        raise Failed(f"{user.email} has no authenticator app to give a code")
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(moment) // app_settings.TOTP_PERIOD))


def sign_in(base_url, user, password):
    """Sign in as ``user`` through the sign-in page, and the two-factor page when it asks; the
    session cookie, as a ``Cookie`` header's value."""
    from allauth.mfa import app_settings
    from django.conf import settings
    from django.urls import reverse

    browser = Browser(base_url)
    login, authenticate = reverse("account_login"), reverse("mfa_authenticate")
    page = browser.submit(browser.get(login), login, {"login": user.email, "password": password})
    # A code is accepted once: if an earlier run used this period's, wait for the next.
    for attempt in range(2):
        if urllib.parse.urlsplit(page.url).path != authenticate:
            break
        if attempt:
            period = app_settings.TOTP_PERIOD
            time.sleep(period - time.time() % period + 0.5)
        page = browser.submit(page, authenticate, {"code": totp_code(user, time.time())})
    if urllib.parse.urlsplit(page.url).path in {login, authenticate}:
        raise Failed(
            f"could not sign in as {user.email}: is DEMO_PASSWORD the one the database was "
            "seeded with?"
        )
    cookie = browser.cookie(settings.SESSION_COOKIE_NAME)
    if cookie is None:
        raise Failed(f"signing in as {user.email} gave no session cookie")
    return cookie


def page_check(base_url, path, cookie):
    """The size of ``path``'s page in bytes; Failed unless it answers 200 (a redirect to the
    sign-in page or a refusal would measure the wrong thing)."""
    opener = urllib.request.build_opener(NoRedirect)
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(base_url + path, headers=headers)  # noqa: S310
    try:
        with opener.open(request, timeout=REQUEST_TIMEOUT) as response:
            return len(response.read())
    except urllib.error.HTTPError as error:
        where = error.headers.get("Location")
        raise Failed(
            f"{path} answered {error.code}" + (f", sending to {where}" if where else "")
        ) from None


# Loading a page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    seconds: float
    errors: dict


def wrk_report(output):
    """A Run from wrk's output with bench/wrk_report.lua."""
    found = re.search(r"^bench-result (.+)$", output, re.MULTILINE)
    if found is None:
        raise Failed(f"wrk printed no result:\n{output}")
    values = {
        key: int(float(value))
        for key, value in (item.split("=", 1) for item in found.group(1).split())
    }
    return Run(
        p50_ms=values["p50"] / 1000,
        p95_ms=values["p95"] / 1000,
        p99_ms=values["p99"] / 1000,
        requests=values["requests"],
        seconds=values["duration_us"] / 1e6,
        errors={
            kind: values[kind]
            for kind in ("connect", "read", "write", "status", "timeout")
            if values[kind]
        },
    )


def wrk(url, cookie, duration, *, warming=False):
    command = [
        shutil.which("wrk") or "wrk",
        "--threads",
        str(THREADS),
        "--connections",
        str(CONNECTIONS),
        "--duration",
        f"{duration}s",
        "--timeout",
        f"{REQUEST_TIMEOUT}s",
        "--script",
        str(WRK_REPORT),
    ]
    if cookie:
        command += ["--header", f"Cookie: {cookie}"]
    done = subprocess.run(  # noqa: S603
        [*command, url],
        capture_output=True,
        text=True,
        timeout=duration + 2 * REQUEST_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise Failed(f"wrk stopped with status {done.returncode}: {done.stderr or done.stdout}")
    run = wrk_report(done.stdout)
    if warming:
        return run
    if not run.requests:
        raise Failed(f"{url}: no request answered in {duration} s")
    if run.errors.get("status") or run.errors.get("timeout"):
        raise Failed(f"{url}: {run.errors} ({run.requests} requests)")
    return run


@dataclass(frozen=True)
class Round:
    """A page, its empty layout and the person both are opened as, with the length of the
    round's runs."""

    page: Page
    path: str
    empty: Page
    empty_path: str
    cookie: str | None
    size: int
    seconds: int
    warmup: int


def round_plan(*, base_url, page, path, empty, empty_path, cookie, options):
    """The round for ``page``, once both pages have answered 200; a page slower than a run
    allows (the reports page at scale) gets runs long enough for several answers each."""
    try:
        size = page_check(base_url, path, cookie)
        page_check(base_url, empty_path, cookie)
        # Timed once more, now that the first request has warmed it.
        started = time.perf_counter()
        page_check(base_url, path, cookie)
        once = time.perf_counter() - started
    except Failed as error:
        raise Failed(f"{page.name}, as the {page.who}: {error}") from None
    return Round(
        page=page,
        path=path,
        empty=empty,
        empty_path=empty_path,
        cookie=cookie,
        size=size,
        seconds=max(options.duration, math.ceil(ANSWERS_PER_CONNECTION * once)),
        warmup=max(options.warmup, math.ceil(2 * once)) if options.warmup else 0,
    )


@dataclass
class Row:
    name: str
    empty_name: str
    size: int
    seconds: int = 0
    runs: list = field(default_factory=list)
    empty_runs: list = field(default_factory=list)

    @property
    def p50(self):
        return statistics.median(run.p50_ms for run in self.runs)

    @property
    def p95(self):
        return statistics.median(run.p95_ms for run in self.runs)

    @property
    def empty_p95(self):
        return statistics.median(run.p95_ms for run in self.empty_runs)

    @property
    def ratio(self):
        return self.p95 / self.empty_p95


def say(text):
    print(text, file=sys.stderr, flush=True)


def compare(server, plan, options):
    """One round: a warm-up of both pages, then ``repeats`` runs of each, the page and the
    empty layout taking turns to go first, the server drained before every run."""
    row = Row(plan.page.name, plan.empty.name, plan.size, plan.seconds)
    cookie = plan.cookie
    if plan.warmup:
        for target in (plan.path, plan.empty_path):
            server.drain(options.pause)
            wrk(server.url + target, cookie, plan.warmup, warming=True)
    for repeat in range(options.repeats):
        turns = [(row.runs, plan.path), (row.empty_runs, plan.empty_path)]
        if repeat % 2 == 0:
            turns.reverse()
        for runs, target in turns:
            server.drain(options.pause)
            runs.append(wrk(server.url + target, cookie, plan.seconds))
    say(
        f"  {row.name}: p95 "
        + ", ".join(f"{run.p95_ms:,.1f}" for run in row.runs)
        + f" ms ({sum(run.requests for run in row.runs):,} requests); {row.empty_name} p95 "
        + ", ".join(f"{run.p95_ms:,.1f}" for run in row.empty_runs)
        + f" ms; runs of {plan.seconds} s; load average {load_average()}"
    )
    return row


# Reporting -------------------------------------------------------------------------------------


def load_average():
    """The machine's load over the last 1, 5 and 15 minutes: what else was running."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def describe_machine():
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = os.cpu_count()
    return f"{cores} cores{f' ({model})' if model else ''}; load average {load_average()}"


def table(rows, options):
    headers = ("page", "p50 ms", "p95 ms", "empty p95 ms", "ratio", "page KiB")
    cells = [
        (
            row.name,
            f"{row.p50:,.1f}",
            f"{row.p95:,.1f}",
            f"{row.empty_p95:,.1f}",
            f"{row.ratio:,.1f}",
            f"{row.size / 1024:,.0f}",
        )
        for row in rows
    ]
    widths = [max(len(cell) for cell in column) for column in zip(headers, *cells, strict=True)]

    def line(row):
        first, *rest = row
        numbers = " | ".join(f"{cell:>{w}}" for cell, w in zip(rest, widths[1:], strict=True))
        return f"| {first:<{widths[0]}} | {numbers} |"

    out = [line(headers), "|" + "|".join("-" * (width + 2) for width in widths) + "|"]
    out += [line(row) for row in cells]
    warmup = f" after a {options.warmup} s warm-up" if options.warmup else ""
    runs = f"{options.repeats} runs" if options.repeats > 1 else "1 run"
    out.append(
        f"\np50 and p95: medians over {runs} of {options.duration} s{warmup}, "
        f"wrk with {THREADS} threads and {CONNECTIONS} connections against gunicorn with "
        f"{WORKERS} sync workers. Empty layout: the password-change page signed in, the sign-in "
        "page signed out, measured in the same round. Ratio: p95 over empty p95."
    )
    longer = [row for row in rows if row.seconds > options.duration]
    if longer:
        out.append(
            "Longer runs, for pages slower than a run allows: "
            + ", ".join(f"{row.name} {row.seconds} s" for row in longer)
            + "."
        )
    return "\n".join(out)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (10)")
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of warm-up per page, 0 for none (3)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of each page (3)")
    parser.add_argument(
        "--pause", type=float, default=2, help="seconds of rest once the server is idle (2)"
    )
    parser.add_argument(
        "--only", action="append", default=[], help="load the pages whose name contains this"
    )
    options = parser.parse_args(argv)
    if options.duration < 1 or options.repeats < 1 or options.warmup < 0 or options.pause < 0:
        parser.error("--duration and --repeats must be at least 1, --warmup and --pause not less")
    return options


def main(argv=None):
    options = parse(argv)
    if shutil.which("wrk") is None:
        say("FAILED: wrk is not installed: `make bench-server` installs Debian's package wrk.")
        return 1

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from bench.run import describe_database, people, report_summary_refresh
    from demo.management.commands.seed_demo import demo_password

    pages = [
        page
        for page in PAGES
        if not options.only or any(word.lower() in page.name.lower() for word in options.only)
    ]
    print(f"{describe_database()}; the server runs with DEBUG=false")
    print(f"Machine: {describe_machine()}")
    print(f"Started {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC\n", flush=True)

    with tempfile.TemporaryFile(mode="w+") as log:
        server = Server(
            database_url=database_url_for(connection.settings_dict),
            static_root=Path(settings.VAR_DIR) / "bench-static",
            log=log,
        )
        try:
            accounts = people()
            paths = {page.name: path_for(page) for page in [*pages, EMPTY_SIGNED_IN]}
            paths[EMPTY_SIGNED_OUT.name] = path_for(EMPTY_SIGNED_OUT)
            with server:
                cookies = {"anonymous": None}
                for who in sorted({page.who for page in pages} - {"anonymous"}):
                    if accounts.get(who) is None:
                        raise Failed(f"no {who} in this database: fill it with seed_scale")
                    cookies[who] = sign_in(server.url, accounts[who], demo_password())
                # Every page is checked before any is loaded: a wrong page fails in seconds.
                rounds = []
                for page in pages:
                    empty = EMPTY_SIGNED_OUT if page.who == "anonymous" else EMPTY_SIGNED_IN
                    if page.report_summary:
                        report_summary_refresh()
                    rounds.append(
                        round_plan(
                            base_url=server.url,
                            page=page,
                            path=paths[page.name],
                            empty=empty,
                            empty_path=paths[empty.name],
                            cookie=cookies[page.who],
                            options=options,
                        )
                    )
                rows = []
                for plan in rounds:
                    if plan.page.report_summary:
                        report_summary_refresh()
                    rows.append(compare(server, plan, options))
        except Failed as error:
            say(f"FAILED: {error}")
            tail = server.log_tail()
            if tail.strip():
                say(f"gunicorn said:\n{tail}")
            return 1
    print(table(rows, options))
    print(f"\nFinished {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"Machine: {describe_machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

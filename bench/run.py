"""Time the main pages, the reminder sweep and the report against a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ars_bench uv run --frozen python bench/run.py

See bench/README.md for how to seed the database and what each column means. Nothing here
writes to the database for good: the sweep runs inside a transaction that is rolled back.
"""

import argparse
import datetime
import logging
import os
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class Unavailable(Exception):
    """The code a case times is not there (yet); the case is skipped, not failed."""


class Failed(Exception):
    """The case ran and went wrong, for example a page that did not answer 200."""


@dataclass
class Result:
    name: str
    times_ms: list = field(default_factory=list)
    queries: int | None = None
    peak_mib: float | None = None
    size: str = ""
    problem: str = ""

    @property
    def median(self):
        return statistics.median(self.times_ms)

    @property
    def p90(self):
        if len(self.times_ms) < 2:
            return self.times_ms[0]
        return statistics.quantiles(self.times_ms, n=10, method="inclusive")[-1]


@dataclass(frozen=True)
class Case:
    """One thing to time. ``prepare(people)`` returns a function doing it once, which returns a
    short description of what it produced (bytes, rows, reminders)."""

    name: str
    prepare: object


# The people pages are opened as --------------------------------------------------------------


def people():
    """The accounts the pages are opened as: seed_scale's first secretariat and checker, and the
    co-ordinator of the active project with the most output requests (a busy researcher)."""
    from django.db.models import Count

    from identity.roles import Role
    from projects.models import Proposal
    from researchers.models import User

    def staff(email, role):
        return (
            User.objects.filter(email=email).first()
            or User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()
        )

    busiest = (
        Proposal.objects.filter(state=Proposal.State.ACTIVE)
        .annotate(requests=Count("output_requests"))
        .order_by("-requests", "pk")
        .select_related("coordinator")
        .first()
    )
    return {
        "anonymous": None,
        "secretariat": staff("scale-secretariat-1@example.org", Role.SECRETARIAT),
        "checker": staff("scale-checker-1@example.org", Role.OUTPUT_CHECKER),
        "researcher": busiest.coordinator if busiest else None,
    }


# Cases ----------------------------------------------------------------------------------------


def page(name, url_names, who, query=""):
    """A GET of the first of ``url_names`` that exists, as ``who``, read to its last byte."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    def prepare(accounts):
        for url_name in url_names:
            try:
                url = reverse(url_name) + query
                break
            except NoReverseMatch:
                continue
        else:
            raise Unavailable(f"no URL named {' or '.join(url_names)}")
        client = Client()
        if who != "anonymous":
            if accounts[who] is None:
                raise Unavailable(f"no {who} in this database")
            client.force_login(accounts[who])

        def once():
            response = client.get(url)
            if response.status_code != 200:
                raise Failed(f"{url} answered {response.status_code}")
            if response.streaming:
                size = sum(len(chunk) for chunk in response.streaming_content)
            else:
                size = len(response.content)
            return f"{size / 1024:,.0f} KiB"

        return once

    return Case(name, prepare)


def sweep():
    """The daily reminder sweep for today, rolled back so the next run finds the same work."""

    def prepare(accounts):
        from django.db import transaction
        from django.utils import timezone

        try:
            from notifications.reminders import reminders_sweep
        except ImportError as error:
            raise Unavailable(str(error)) from error
        today = timezone.localdate()

        def once():
            with transaction.atomic():
                counts = reminders_sweep(today=today)
                transaction.set_rollback(True)
            return f"{sum(counts.values()):,} reminders"

        return once

    return Case("Reminder sweep (rolled back)", prepare)


def _report_range():
    from django.utils import timezone

    today = timezone.localdate()
    return {"date_from": today - datetime.timedelta(days=365), "date_to": today}


def report():
    def prepare(accounts):
        try:
            from reports.figures import report_build
        except ImportError as error:
            raise Unavailable(str(error)) from error

        def once():
            report_build(**_report_range())
            return "figures"

        return once

    return Case("Report figures, 12 months (report_build)", prepare)


def report_csv():
    """The report's CSV as the download streams it, without the request (which is audited)."""

    def prepare(accounts):
        try:
            from reports.rows import HEADER, report_rows
        except ImportError as error:
            raise Unavailable(str(error)) from error
        from govuk.csv_export import csv_response

        def once():
            response = csv_response(
                header=HEADER, rows=report_rows(**_report_range()), filename="bench.csv"
            )
            lines = size = 0
            for chunk in response.streaming_content:
                lines += 1
                size += len(chunk)
            return f"{lines - 1:,} rows"

        return once

    return Case("Report CSV stream, 12 months (report_rows)", prepare)


CASES = [
    page("Researcher register", ["researcher_register:list"], "anonymous"),
    page("Researcher register CSV", ["researcher_register:csv"], "anonymous"),
    page(
        "Researcher register, searched by name",
        ["researcher_register:list"],
        "anonymous",
        "?name=patel",
    ),
    page("Project register", ["project_register:list"], "anonymous"),
    page(
        "Project register, searched by title",
        ["project_register:list"],
        "anonymous",
        "?title=earnings",
    ),
    page("Project register CSV", ["project_register:csv"], "anonymous"),
    page("Researcher's dashboard", ["dashboard:home"], "researcher"),
    page("Researcher's projects", ["projects:proposal_list"], "researcher"),
    page(
        "Researcher's notifications",
        ["notifications:list", "notifications:notification_list"],
        "researcher",
    ),
    page("Secretariat's dashboard", ["dashboard:home"], "secretariat"),
    page("Applications queue (secretariat)", ["accreditation:queue"], "secretariat"),
    page("Proposal list (secretariat)", ["projects:secretariat_list"], "secretariat"),
    page("Checkers' queue", ["outputs:queue"], "checker"),
    page("Audit list", ["audit:event_list"], "secretariat"),
    page(
        "Audit list, one action",
        ["audit:event_list"],
        "secretariat",
        "?action=output_request.submit",
    ),
    page("Reports page", ["reports:report"], "secretariat"),
    sweep(),
    report(),
    report_csv(),
]


# Running --------------------------------------------------------------------------------------


def measure(case, accounts, repeats):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = Result(case.name)
    try:
        once = case.prepare(accounts)
        once()  # warm: templates compiled, caches filled, connection open
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result.size = once()
                result.times_ms.append((time.perf_counter() - started) * 1000)
            result.queries = len(captured)
        tracemalloc.start()
        try:
            once()
            result.peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()
    except Unavailable as error:
        result.problem = f"not available ({error})"
    except Failed as error:
        result.problem = f"FAILED: {error}"
    except Exception as error:  # one broken case must not hide the others
        result.problem = f"FAILED: {type(error).__name__}: {error}"
    return result


def describe_database():
    from django.db import connection

    from audit.models import AuditEvent
    from identity.roles import Role
    from outputs.models import OutputRequest
    from projects.models import Proposal
    from researchers.models import User

    counts = {
        "researchers": User.objects.filter(groups__name=Role.RESEARCHER).count(),
        "proposals": Proposal.objects.count(),
        "output requests": OutputRequest.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }
    name = connection.settings_dict["NAME"]
    return f"{connection.vendor} {name}: " + ", ".join(
        f"{count:,} {label}" for label, count in counts.items()
    )


def table(results, repeats):
    """The results as a Markdown table; a case that did not run says why across its row."""
    headers = ("case", "median ms", "p90 ms", "queries", "peak MiB", "produced")
    cells = {
        r.name: (
            r.name,
            f"{r.median:,.1f}",
            f"{r.p90:,.1f}",
            str(r.queries),
            f"{r.peak_mib:,.1f}",
            r.size,
        )
        for r in results
        if not r.problem
    }
    widths = [len(header) for header in headers]
    for row in cells.values():
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    widths[0] = max(widths[0], *(len(r.name) for r in results))

    def line(row):
        first, *rest = row
        numbers = " | ".join(f"{cell:>{w}}" for cell, w in zip(rest, widths[1:], strict=True))
        return f"| {first:<{widths[0]}} | {numbers} |"

    out = [line(headers), "|" + "|".join("-" * (width + 2) for width in widths) + "|"]
    for r in results:
        out.append(f"| {r.name:<{widths[0]}} | {r.problem}" if r.problem else line(cells[r.name]))
    out.append(f"\n{repeats} timed runs of each case after one warm-up; peak MiB from one more.")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per case (5)")
    parser.add_argument(
        "--only", action="append", default=[], help="run the cases whose name contains this"
    )
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings

    # The sweep logs each kind it sends at INFO; the table is what this run is for.
    logging.getLogger("notifications").setLevel(logging.WARNING)

    cases = [
        case
        for case in CASES
        if not args.only or any(word.lower() in case.name.lower() for word in args.only)
    ]
    print(f"{describe_database()}; DEBUG={settings.DEBUG}")
    print(f"Started {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC\n")
    accounts = people()
    results = []
    for case in cases:
        print(f"  {case.name} ...", file=sys.stderr, flush=True)
        results.append(measure(case, accounts, args.repeats))
    print(table(results, args.repeats))
    return 1 if any(r.problem.startswith("FAILED") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

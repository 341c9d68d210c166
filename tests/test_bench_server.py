"""bench/server.py, the server mode of the benchmarks: it signs in through the pages, refuses a
page that does not answer 200, and loads every page beside the empty layout on gunicorn with wrk.
No test checks a timing (bench/README.md); these check that the measurement still runs."""

import re
from importlib import import_module
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from bench import server
from config import settings as project_settings
from identity.roles import Role
from tests.browser.conftest import MIGRATION_ROWS
from tests.factories import DEFAULT_PASSWORD, UserFactory


def test_bench_signs_in_with_a_code_and_refuses_a_page_that_does_not_answer_200(live_server):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    researcher = UserFactory(roles=[Role.RESEARCHER])
    audit = reverse("audit:event_list")

    cookie = server.sign_in(live_server.url, secretariat, DEFAULT_PASSWORD)

    assert server.page_check(live_server.url, audit, cookie) > 1000
    with pytest.raises(server.Failed, match=r"answered 302, sending to /accounts/login/"):
        server.page_check(live_server.url, audit, None)
    as_researcher = server.sign_in(live_server.url, researcher, DEFAULT_PASSWORD)
    with pytest.raises(server.Failed, match="answered 403"):
        server.page_check(live_server.url, audit, as_researcher)
    with pytest.raises(server.Failed, match="could not sign in"):
        server.sign_in(live_server.url, researcher, "not-the-password")


def test_bench_reports_the_median_of_the_runs_p95s_and_their_ratio():
    def run(p95_ms):
        return server.wrk_report(
            f"Running 1s test\nbench-result p50=1000 p95={p95_ms * 1000} p99=1 max=1 requests=9 "
            "bytes=1 duration_us=1000000 connect=0 read=0 write=0 status=0 timeout=0\n"
        )

    row = server.Row("Audit list", "Password change", size=2048, seconds=10)
    row.runs = [run(30), run(90), run(40)]
    row.empty_runs = [run(10), run(5), run(20)]

    assert (row.p50, row.p95, row.empty_p95, row.ratio) == (1.0, 40.0, 10.0, 4.0)
    assert "| Audit list | 1.0 | 40.0 | 10.0 | 4.0 |" in re.sub(
        r" +", " ", server.table([row], server.parse([]))
    )


@pytest.mark.slow
def test_bench_server_loads_every_page_beside_the_empty_layout(
    transactional_db, settings, monkeypatch, tmp_path, capsys
):
    # The server's processes see only what is committed; a transactional test run before this
    # one emptied the rows the migrations load (the declaration's wording, the catalogue).
    from django.apps import apps

    for module, function in MIGRATION_ROWS:
        getattr(import_module(module), function)(apps, None)
    # The server checks the seeded password with the project's own hashers.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("DEMO_PASSWORD", "a-scale-password-for-tests")
    call_command("seed_scale", researchers=200, stdout=StringIO())

    status = server.main(["--duration", "1", "--warmup", "0", "--repeats", "1", "--pause", "0"])

    printed = capsys.readouterr()
    assert status == 0, printed.err
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in printed.out.splitlines()
        if line.startswith("| ")
    ]
    assert rows[0] == ["page", "p50 ms", "p95 ms", "empty p95 ms", "ratio", "page KiB"]
    assert [row[0] for row in rows[1:]] == [page.name for page in server.PAGES]
    for name, *numbers in rows[1:]:
        p50, p95, empty_p95, ratio, size = (float(n.replace(",", "")) for n in numbers)
        assert 0 < p50 <= p95, name
        assert empty_p95 > 0 and size > 0, name
        # Printed to one decimal: a page many times quicker than a run's first, cold requests of
        # the empty layout rounds to 0.0.
        assert ratio == pytest.approx(p95 / empty_p95, rel=0.05, abs=0.05), name
    assert "200 researchers" in printed.out

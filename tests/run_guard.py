"""A run in which no test passed is a failure, not a pass.

pytest fails a run that collects nothing (exit code 5) but passes one whose every test was
skipped, which would let a suite that quietly tests nothing look green: on a database where
every test skips, say. ``tests/conftest.py`` registers the guard for every run.
"""

import pytest


class NothingPassedGuard:
    def __init__(self):
        self.passed = 0
        self.skipped = 0
        self.tested_nothing = False

    def pytest_runtest_logreport(self, report):
        # With pytest-xdist the controller receives every worker's reports here too.
        if report.when == "call" and report.passed:
            self.passed += 1
        elif report.skipped:
            self.skipped += 1

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        config = session.config
        if hasattr(config, "workerinput") or config.option.collectonly:
            # A pytest-xdist worker runs part of the suite; the controller judges the whole.
            return
        if exitstatus == pytest.ExitCode.OK and not self.passed:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            self.tested_nothing = True

    def pytest_terminal_summary(self, terminalreporter):
        # Called after pytest_sessionfinish, before the closing line.
        if self.tested_nothing:
            terminalreporter.section("nothing tested", red=True, bold=True)
            terminalreporter.write_line(
                f"No test passed ({self.skipped} skipped): a run that tests nothing fails."
            )


def pytest_configure(config):
    config.pluginmanager.register(NothingPassedGuard(), "nothing-passed-guard")

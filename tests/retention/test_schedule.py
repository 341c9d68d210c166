"""The schedule installed with the service: every kind of record, documented, proposed."""

import pytest
from django.conf import settings

from retention.kinds import HOLD_MODELS, RUNS
from retention.models import RecordKind, RetentionRule, RetentionSchedule

pytestmark = pytest.mark.django_db


def test_installed_schedule_is_proposed_and_has_a_rule_for_every_kind():
    schedule = RetentionSchedule.objects.get()

    assert schedule.version == 1 and not schedule.confirmed
    assert set(schedule.rules.values_list("kind", flat=True)) == set(RecordKind.values)


def test_every_kind_the_run_destroys_keeps_the_clock_the_schedule_states():
    for rule in RetentionRule.objects.filter(schedule__version=1):
        if rule.kind in RUNS:
            assert RUNS[rule.kind].clock == rule.clock, rule.kind


def test_every_kind_can_be_held():
    assert set(HOLD_MODELS) == set(RecordKind.values)


def test_docs_explain_every_kind_of_the_schedule():
    text = (settings.BASE_DIR / "docs" / "retention.md").read_text()

    missing = [label for _, label in RecordKind.choices if label not in text]
    assert not missing, missing


def test_beat_runs_the_retention_run_nightly_on_the_sweeps_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["retention-run"]

    assert entry["task"] == "retention.tasks.retention_run_task"
    assert settings.CELERY_TASK_ROUTES[entry["task"]] == {"queue": "sweeps"}
    assert entry["schedule"].hour == {2}

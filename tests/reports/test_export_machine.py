"""A PDF report is prepared by the service through its own state machine: each step audited with
no person as its actor, and a step out of order refused."""

import pytest
import time_machine

from audit.models import AuditEvent
from identity.roles import Role
from reports.models import ReportExport
from reports.services import report_export_fail, report_export_render, report_export_request
from reports.tasks import report_exports_requeue_stale
from tests.factories import UserFactory
from tests.reports.helpers import export_ready
from workflow.errors import TransitionNotPermitted, TransitionRefused
from workflow.services import transition_fire

pytestmark = pytest.mark.django_db

FILTERS = {"date_from": "2026-04-01", "date_to": "2026-05-31", "organisation": None}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def _steps(export):
    return list(
        AuditEvent.objects.filter(object_id=str(export.pk))
        .order_by("pk")
        .values_list("action", "actor", "from_state", "to_state")
    )


def test_report_export_render_starts_then_stores_the_pdf_as_the_service(secretariat):
    export = report_export_request(filters=FILTERS, by=secretariat)

    export = report_export_render(export=export)

    assert export.state == ReportExport.State.READY
    assert export.started_at is not None
    assert _steps(export) == [
        ("report.pdf_requested", secretariat.pk, "", "queued"),
        ("report_export.start", None, "queued", "running"),
        ("report_export.finish", None, "running", "ready"),
    ]


def test_report_export_failed_is_not_tried_again(secretariat):
    with time_machine.travel("2026-06-15 09:00", tick=False):
        export = report_export_request(filters=FILTERS, by=secretariat)
        export = report_export_fail(export=export, reason="The worker ran out of memory.")
    assert export.state == ReportExport.State.FAILED

    with pytest.raises(TransitionRefused) as refused:
        transition_fire(obj=export, transition="start", by=None)
    again = report_export_render(export=export)

    assert refused.value.reasons == [
        "Only an export waiting to start can be started: a failed export is not tried again, "
        "the secretariat asks for a new one."
    ]
    assert again.state == ReportExport.State.FAILED
    assert not again.file
    # The hourly sweep leaves it alone, however long ago it was asked for.
    assert report_exports_requeue_stale() == 0
    assert [step[0] for step in _steps(export)] == ["report.pdf_requested", "report_export.fail"]


def test_report_export_being_prepared_when_its_worker_died_is_finished_by_a_retry(secretariat):
    export = report_export_request(filters=FILTERS, by=secretariat)
    transition_fire(obj=export, transition="start", by=None)

    export = report_export_render(export=export)

    assert export.state == ReportExport.State.READY
    assert [step[0] for step in _steps(export)].count("report_export.start") == 1


def test_report_export_ready_cannot_fail_or_be_stored_again(secretariat):
    export = export_ready(by=secretariat, filters=FILTERS)

    with pytest.raises(TransitionRefused, match="already ready or failed cannot fail"):
        transition_fire(obj=export, transition="fail", by=None, reason="late")
    with pytest.raises(TransitionRefused, match="Only an export being prepared"):
        transition_fire(obj=export, transition="finish", by=None, pdf=b"%PDF-")

    export.refresh_from_db()
    assert export.state == ReportExport.State.READY
    assert not AuditEvent.objects.filter(object_id=str(export.pk)).exists()


def test_report_export_steps_are_the_services_never_a_persons(secretariat):
    export = report_export_request(filters=FILTERS, by=secretariat)

    with pytest.raises(TransitionNotPermitted):
        transition_fire(obj=export, transition="start", by=secretariat)
    with pytest.raises(TransitionNotPermitted):
        transition_fire(obj=export, transition="fail", by=secretariat, reason="Not wanted.")

    export.refresh_from_db()
    assert export.state == ReportExport.State.QUEUED


def test_report_export_state_is_not_set_by_hand(secretariat):
    export = report_export_request(filters=FILTERS, by=secretariat)

    with pytest.raises(AttributeError):
        export.state = ReportExport.State.READY

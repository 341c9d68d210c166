from io import StringIO

import pytest
from django.core.management import call_command

from accreditation.levels import Level
from accreditation.models import Accreditation, AccreditationApplication
from accreditation.register.selectors import register_entries
from audit.models import AuditEvent
from researchers.models import User

pytestmark = pytest.mark.django_db


def _seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_puts_the_second_researcher_on_the_register_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    _seed()
    output = _seed()

    researcher = User.objects.get(email="researcher.two@example.ac.uk")
    accreditation = Accreditation.objects.get(researcher=researcher)
    assert accreditation.state == Accreditation.State.ACTIVE
    assert accreditation.level == Level.FULL
    assert accreditation.application.state == AccreditationApplication.State.APPROVED
    assert [entry.name for entry in register_entries()] == [researcher.full_name]
    assert f"{researcher.email} holds full accreditation" in output


def test_seed_demo_accredits_through_the_audited_steps(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    _seed()

    application = AccreditationApplication.objects.get(
        applicant__email="researcher.two@example.ac.uk"
    )
    steps = list(
        AuditEvent.objects.filter(
            object_id=str(application.pk), object_type__contains="application"
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert steps[0] == "accreditation_application.start"
    assert "accreditation_application.submit" in steps
    assert steps[-1] == "accreditation_application.approve"

from io import StringIO

import pytest
from django.core.management import call_command

from projects.consent.selectors import consent_queue_for
from projects.models import Proposal
from projects.register.selectors import register_projects
from researchers.models import User

pytestmark = pytest.mark.django_db
State = Proposal.State


def _seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_makes_one_project_in_each_demo_state_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    _seed()
    output = _seed()

    states = sorted(Proposal.objects.values_list("state", flat=True))
    assert states == sorted(
        [State.DRAFT, State.PANEL_REVIEW, State.DATA_OWNER_REVIEW, State.ACTIVE]
    )
    with_panel = Proposal.objects.get(state=State.PANEL_REVIEW)
    assert with_panel.assignments.filter(removed_at__isnull=True).count() == 3
    assert [project.state for project in register_projects()] == [State.ACTIVE]
    assert "is active." in output
    waiting = Proposal.objects.get(state=State.DATA_OWNER_REVIEW)
    data_owner = User.objects.get(email="data.owner@example.gov.uk")
    assert list(consent_queue_for(user=data_owner)) == [waiting]

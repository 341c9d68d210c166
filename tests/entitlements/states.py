"""An active project whose team may see its data: each member accredited, declared and with two
factors, taken there through the services."""

import datetime

from django.utils import timezone

from projects.models import Proposal
from tests.factories import UserFactory, declaration_signed_row
from tests.projects.states import proposal_at


def project_entitled(*, team_size=1, **fields):
    """An active project with ``team_size`` accepted members besides its co-ordinator, every one
    of them holding a signed declaration on the current version."""
    team = [UserFactory(full_name=f"Member {n}") for n in range(team_size)]
    today = timezone.localdate()
    fields.setdefault("start_date", today - datetime.timedelta(days=10))
    fields.setdefault("end_date", today + datetime.timedelta(days=200))
    project = proposal_at(Proposal.State.ACTIVE, team=team, **fields)
    for person in [project.coordinator, *team]:
        declaration_signed_row(person)
    return project

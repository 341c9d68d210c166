"""A small world whose report figures are worked out by hand in tests/reports/test_figures.py.

Everything the factories create on the side (the approved applications behind accreditations,
the projects output requests belong to) is made on 15 January 2026, outside the report's range
of 1 April to 31 May 2026; the records the report counts are placed in it by their timestamps.

The records are written directly, each with the state and the audit events its steps would
leave, rather than taken there through the services: every figure is worked out from the
moment of each step, which these rows set one by one.
"""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction

from accreditation.models import Accreditation, AccreditationApplication, Level
from audit.services import audit_record
from identity.roles import Role
from outputs.models import OutputRequest
from projects.models import Proposal, Recommendation, ReviewerAssignment
from tests.accreditation.factories import (
    AccreditationApplicationFactory,
    AccreditationFactory,
    ApplicantFactory,
)
from tests.factories import UserFactory
from tests.outputs.factories import OutputRequestFactory
from tests.projects.factories import ProposalFactory
from tests.researchers.profile_factories import OrganisationFactory

LONDON = ZoneInfo("Europe/London")
DATE_FROM = datetime.date(2026, 4, 1)
DATE_TO = datetime.date(2026, 5, 31)
TODAY = datetime.date(2026, 6, 15)
SETUP_TIME = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=LONDON)


def at(month, day, hour=12, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def _audit_at(moment, *, obj, action, from_state, to_state):
    with time_machine.travel(moment, tick=False), transaction.atomic():
        audit_record(actor=None, action=action, obj=obj, from_state=from_state, to_state=to_state)


def _recommend(assignment, moment):
    with time_machine.travel(moment, tick=False):
        Recommendation.objects.create(
            assignment=assignment,
            recommendation=Recommendation.Choice.choices[0][0],
            score_public_benefit=4,
            score_analytical_merit=4,
            score_feasibility=4,
            score_privacy_risk_mitigation=4,
            score_ethics=4,
        )


def report_world():
    App = AccreditationApplication.State
    with time_machine.travel(SETUP_TIME, tick=False):
        north = OrganisationFactory(name="Northern University")
        south = OrganisationFactory(name="Southern Institute")
        north_one = ApplicantFactory(ready__organisation=north, full_name="Ada North")
        north_two = ApplicantFactory(ready__organisation=north, full_name="Ben North")
        south_one = ApplicantFactory(ready__organisation=south, full_name="Cy South")
        south_two = ApplicantFactory(ready__organisation=south, full_name="Di South")
        secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)

        # Applications: three decided in 2, 10 and 4.5 days, one waiting, one draft, and one
        # submitted before the range.
        applications = [
            AccreditationApplicationFactory(
                applicant=north_one,
                state=App.APPROVED,
                submitted_at=at(4, 1, 9),
                decided_at=at(4, 3, 9),
            ),
            AccreditationApplicationFactory(
                applicant=north_two,
                state=App.REJECTED,
                submitted_at=at(4, 10, 9),
                decided_at=at(4, 20, 9),
            ),
            AccreditationApplicationFactory(
                applicant=south_one,
                state=App.APPROVED,
                submitted_at=at(5, 5, 9),
                decided_at=at(5, 9, 21),
            ),
            AccreditationApplicationFactory(
                applicant=south_two, state=App.SUBMITTED, submitted_at=at(5, 20, 9)
            ),
            AccreditationApplicationFactory(
                applicant=north_two, state=App.SUBMITTED, submitted_at=at(2, 1, 9)
            ),
        ]

        # Accreditations: two granted in the range; one expiring in 16 days, one in 108 days and
        # a suspended one ending in 25 days, all granted before it.
        AccreditationFactory(
            researcher=north_one,
            valid_from=datetime.date(2026, 4, 3),
            valid_until=datetime.date(2031, 4, 2),
        )
        AccreditationFactory(
            researcher=south_one,
            valid_from=datetime.date(2026, 5, 9),
            valid_until=datetime.date(2031, 5, 8),
        )
        AccreditationFactory(
            researcher=north_two,
            level=Level.PROVISIONAL,
            valid_from=datetime.date(2023, 7, 2),
            valid_until=datetime.date(2026, 7, 1),
        )
        AccreditationFactory(
            researcher=south_two,
            valid_from=datetime.date(2021, 10, 2),
            valid_until=datetime.date(2026, 10, 1),
        )
        AccreditationFactory(
            researcher=UserFactory(),
            state=Accreditation.State.SUSPENDED,
            valid_from=datetime.date(2021, 7, 11),
            valid_until=datetime.date(2026, 7, 10),
        )

        # Proposals: one through the panel (1.5, 3 and 10 days, 14.5 in all), one fast-tracked
        # (1 day to screening, 3 days in all), one still in screening (3 days to screening).
        P = Proposal.State
        panel = ProposalFactory(
            coordinator=north_one,
            accredited=False,
            state=P.APPROVED,
            submitted_at=at(4, 1, 0),
            decided_at=at(4, 15, 12),
        )
        fast = ProposalFactory(
            coordinator=south_one,
            accredited=False,
            state=P.APPROVED,
            fast_tracked=True,
            submitted_at=at(5, 1, 12),
            decided_at=at(5, 4, 12),
        )
        screening = ProposalFactory(
            coordinator=south_one,
            accredited=False,
            state=P.SCREENING,
            submitted_at=at(5, 10, 12),
        )
        north_project = ProposalFactory(coordinator=north_one, accredited=False, state=P.ACTIVE)
        south_project = ProposalFactory(coordinator=south_one, accredited=False, state=P.ACTIVE)

        # Panel assignments: in a day early, two days late, never in (due before today), and
        # one due after the range.
        reviewers = [UserFactory(roles=[Role.PANEL_REVIEWER]) for _ in range(4)]
        assignments = [
            ReviewerAssignment.objects.create(
                proposal=panel, reviewer=reviewer, assigned_by=secretariat, due_date=due
            )
            for reviewer, due in zip(
                reviewers,
                [
                    datetime.date(2026, 4, 10),
                    datetime.date(2026, 4, 10),
                    datetime.date(2026, 5, 30),
                    datetime.date(2026, 6, 30),
                ],
                strict=True,
            )
        ]

        # Output requests: decided within the level (Easter Monday does not count), returned
        # after the due day, waiting past the due day, and a draft.
        Req = OutputRequest.State
        released = OutputRequestFactory(
            project=north_project,
            state=Req.RELEASED,
            submitted_at=at(4, 6, 10),
            decided_at=at(4, 9, 10),
            released_at=at(4, 10, 10),
        )
        returned = OutputRequestFactory(
            project=north_project,
            state=Req.RETURNED,
            submitted_at=at(5, 5, 10),
            returned_at=at(5, 14, 10),
        )
        waiting = OutputRequestFactory(
            project=south_project, state=Req.SUBMITTED, submitted_at=at(5, 20, 10)
        )

    _recommend(assignments[0], at(4, 9))
    _recommend(assignments[1], at(4, 12))
    with time_machine.travel(at(5, 25), tick=False):
        applications.append(AccreditationApplicationFactory(applicant=north_one, state=App.DRAFT))
    with time_machine.travel(at(5, 1), tick=False):
        draft_output = OutputRequestFactory(project=north_project)

    for proposal, moment in ((panel, at(4, 2)), (fast, at(5, 2)), (screening, at(5, 13))):
        _audit_at(
            moment,
            obj=proposal,
            action="proposal.start_screening",
            from_state=P.SUBMITTED,
            to_state=P.SCREENING,
        )
    _audit_at(
        at(4, 5),
        obj=panel,
        action="proposal.send_to_panel",
        from_state=P.SCREENING,
        to_state=P.PANEL_REVIEW,
    )
    for request, moment in ((released, at(4, 8, 10)), (returned, at(5, 13, 10))):
        _audit_at(
            moment,
            obj=request,
            action="output_request.record_second_review",
            from_state=Req.PARTIALLY_REVIEWED,
            to_state=Req.REVIEWED,
        )
    return SimpleNamespace(
        north=north,
        south=south,
        secretariat=secretariat,
        applications=applications,
        proposals=[panel, fast, screening],
        output_requests=[released, returned, waiting, draft_output],
    )


def bigger_world():
    """Many more records of every kind, in new organisations, inside the range, and more
    accreditations expiring soon."""
    from tests.accreditation.states import application_at
    from tests.outputs.states import output_request_at
    from tests.projects.states import proposal_at

    for index in range(6):
        organisation = OrganisationFactory(name=f"Extra organisation {index}")
        applicant = ApplicantFactory(ready__organisation=organisation)
        application_at("submitted", applicant=applicant, on=at(4, 2 + index))
        project = proposal_at("active", coordinator=applicant, on=at(4, 3))
        for day in range(3):
            output_request_at(
                OutputRequest.State.SUBMITTED, project=project, on=at(5, 4 + day + index)
            )
        AccreditationFactory(
            researcher=applicant,
            valid_from=datetime.date(2021, 8, 1),
            valid_until=datetime.date(2026, 7, 20 + index),
        )

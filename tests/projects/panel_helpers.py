"""Proposals with the panel, reviewers and recommendations, made through the panel's services."""

import datetime

import pytest
from django.utils import timezone

from identity.roles import Role
from projects.models import Proposal, TeamMember
from projects.panel import services as panel_services
from tests.accreditation.factories import AccreditationFactory
from tests.factories import UserFactory
from tests.projects.factories import ProposalFactory
from tests.researchers.profile_factories import ResearcherProfileFactory

SCORES = {
    "score_public_benefit": 4,
    "score_analytical_merit": 3,
    "score_feasibility": 4,
    "score_privacy_risk_mitigation": 5,
    "score_ethics": 4,
}


def panel_proposal(**kwargs):
    """A proposal with the panel whose co-ordinator is accredited past its end date."""
    proposal = ProposalFactory(state=Proposal.State.PANEL_REVIEW, **kwargs)
    AccreditationFactory(
        researcher=proposal.coordinator,
        valid_until=proposal.end_date + datetime.timedelta(days=30),
    )
    return proposal


def reviewer_new(*, organisation=None, **kwargs):
    """A panel reviewer with two-factor authentication, from ``organisation`` if given."""
    user = UserFactory(roles=[Role.PANEL_REVIEWER], totp=True, **kwargs)
    if organisation is not None:
        ResearcherProfileFactory(user=user, organisation=organisation)
    return user


def secretariat_new():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def team_member_add(proposal, user):
    """``user`` on ``proposal``'s team, having accepted."""
    return TeamMember.objects.create(
        proposal=proposal,
        user=user,
        email=user.email,
        invited_by=proposal.coordinator,
        accepted_at=timezone.now(),
    )


def assigned(proposal, *, by, independent=False, reviewer=None, **kwargs):
    """An assignment of ``reviewer`` (a new one by default) to ``proposal``."""
    reviewer = reviewer or reviewer_new()
    return panel_services.reviewer_assign(
        proposal=proposal, reviewer=reviewer, independent=independent, by=by, **kwargs
    )


def recommended(assignment, *, recommendation="approve", **kwargs):
    """``assignment``'s reviewer declares no conflict and recommends."""
    panel_services.conflict_declare(assignment=assignment, conflict=False, by=assignment.reviewer)
    return panel_services.recommendation_submit(
        assignment=assignment,
        recommendation=recommendation,
        comments=kwargs.pop("comments", "A clear public benefit."),
        by=assignment.reviewer,
        **{**SCORES, **kwargs},
    )


def panel_ready(*, by, proposal=None):
    """A proposal whose three reviewers, one independent, have all recommended approval."""
    proposal = proposal or panel_proposal()
    assignments = [assigned(proposal, by=by, independent=index == 0) for index in range(3)]
    for assignment in assignments:
        recommended(assignment)
    return proposal, assignments


@pytest.fixture
def eager_emails():
    """Send queued emails in the test's own process, as a worker would, so tests can read them."""
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def subjects_to(outbox, address):
    return [message.subject for message in outbox if address in message.to]

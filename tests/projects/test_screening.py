"""The secretariat's screening of proposals: start, return with comments per section, pass on,
and approve under delegated authority."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role
from projects.models import DatasetRequest, PanelDecision, Proposal, ScreeningReview
from projects.screening.selectors import screening_feedback
from projects.screening.services import (
    CHECK_KEYS,
    proposal_fast_track,
    screening_pass,
    screening_return,
    screening_start,
)
from projects.screening.views import PROPOSALS_PER_PAGE
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory
from tests.projects.states import proposal_submitted
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db

# Emails sent by the steps a test takes, as the accreditation tests read them.

State = Proposal.State
Consent = DatasetRequest.Consent
LIST = reverse("projects:secretariat_list")


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def screen_url(proposal):
    return reverse("projects:screen", kwargs={"pk": proposal.pk})


def in_screening(secretariat, **kwargs):
    return screening_start(proposal=proposal_submitted(**kwargs), by=secretariat)


def test_screening_start_takes_a_submitted_proposal_into_screening(secretariat):
    proposal = proposal_submitted()

    proposal = screening_start(proposal=proposal, by=secretariat)

    assert proposal.state == State.SCREENING
    event = AuditEvent.objects.get(action="proposal.start_screening")
    assert (event.actor, event.from_state, event.to_state) == (
        secretariat,
        "submitted",
        "screening",
    )


def test_screening_start_refused_for_a_researcher():
    proposal = proposal_submitted()

    with pytest.raises(PermissionDenied):
        screening_start(proposal=proposal, by=proposal.coordinator)

    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED


def test_screening_start_refused_for_the_secretariat_on_its_own_team():
    coordinator = UserFactory(roles=[Role.RESEARCHER, Role.SECRETARIAT], totp=True)
    proposal = proposal_submitted(coordinator=coordinator)

    with pytest.raises(PermissionDenied):
        screening_start(proposal=proposal, by=coordinator)


def test_screening_return_keeps_comments_per_section_and_tells_the_coordinator(secretariat, sent):
    proposal = in_screening(secretariat)

    with sent.capture():
        screening = screening_return(
            proposal=proposal,
            section_comments={"methods": "Name the regression model.", "ethics": " "},
            checks=["complete"],
            by=secretariat,
        )

    proposal.refresh_from_db()
    assert proposal.state == State.RETURNED
    assert screening.outcome == ScreeningReview.Outcome.RETURNED
    assert screening.section_comments == {"methods": "Name the regression model."}
    assert screening.checks == ["complete"]
    event = AuditEvent.objects.get(action="proposal.return_to_coordinator")
    assert event.actor == secretariat
    assert event.payload["sections"] == ["methods"]
    [email] = sent.to(proposal.coordinator.email)
    assert email.subject == "Your project proposal needs changes"
    assert "Name the regression model." in email.body
    feedback = screening_feedback(proposal)
    assert [comment for _, comment in feedback["sections"]] == ["Name the regression model."]


def test_screening_return_needs_a_comment_on_a_section(secretariat):
    proposal = in_screening(secretariat)

    with pytest.raises(ValidationError):
        screening_return(proposal=proposal, section_comments={"methods": ""}, by=secretariat)

    proposal.refresh_from_db()
    assert proposal.state == State.SCREENING
    assert not proposal.screenings.exists()


def test_screening_pass_sends_a_proposal_needing_no_consent_to_the_panel(secretariat):
    proposal = in_screening(secretariat)

    proposal = screening_pass(proposal=proposal, checks=CHECK_KEYS, by=secretariat)

    assert proposal.state == State.PANEL_REVIEW
    assert proposal.screenings.get().outcome == ScreeningReview.Outcome.PASSED
    assert set(proposal.dataset_requests.values_list("consent", flat=True)) == {Consent.NOT_NEEDED}
    assert AuditEvent.objects.filter(action="proposal.send_to_panel", actor=secretariat).exists()


def test_screening_pass_sends_a_proposal_needing_consent_to_its_data_owners(secretariat, sent):
    from projects.models import DataOwnerRepresentative

    needs = DatasetFactory(consent_required=True)
    open_one = DatasetFactory()
    owner = UserFactory(roles=[Role.DATA_OWNER], totp=True)
    DataOwnerRepresentative.objects.create(user=owner, department=needs.department)
    proposal = in_screening(secretariat, datasets=[needs, open_one])

    with sent.capture():
        proposal = screening_pass(proposal=proposal, checks=CHECK_KEYS, by=secretariat)

    assert proposal.state == State.DATA_OWNER_REVIEW
    consents = dict(proposal.dataset_requests.values_list("dataset_id", "consent"))
    assert consents == {needs.pk: Consent.PENDING, open_one.pk: Consent.NOT_NEEDED}
    [email] = sent.to(owner.email)
    assert email.subject == "A project asks to use your department's data"
    assert reverse("projects:consent", kwargs={"pk": proposal.pk}) in email.body


def test_screening_pass_needs_every_check_ticked(secretariat):
    proposal = in_screening(secretariat)

    with pytest.raises(ValidationError):
        screening_pass(proposal=proposal, checks=CHECK_KEYS[:-1], by=secretariat)

    proposal.refresh_from_db()
    assert proposal.state == State.SCREENING


def test_proposal_fast_track_is_recorded_as_a_fast_track_decision(secretariat, sent):
    proposal = in_screening(secretariat)

    with sent.capture():
        decision = proposal_fast_track(
            proposal=proposal,
            checks=CHECK_KEYS,
            rationale="Open-access survey data, aggregate outputs only.",
            by=secretariat,
        )

    proposal.refresh_from_db()
    assert proposal.state == State.APPROVED
    assert proposal.fast_tracked
    assert (decision.route, decision.outcome) == (
        PanelDecision.Route.FAST_TRACK,
        PanelDecision.Outcome.APPROVED,
    )
    assert decision.rationale == "Open-access survey data, aggregate outputs only."
    assert proposal.screenings.get().outcome == ScreeningReview.Outcome.FAST_TRACKED
    event = AuditEvent.objects.get(action="proposal.fast_track_approve")
    assert (event.actor, event.to_state, event.payload["route"]) == (
        secretariat,
        "approved",
        "fast_track",
    )
    [email] = sent.to(proposal.coordinator.email)
    assert "delegated authority" in email.body


def test_proposal_fast_track_refused_when_a_dataset_needs_consent(secretariat):
    proposal = in_screening(secretariat, consent_needed=True)

    with pytest.raises(TransitionRefused) as refused:
        proposal_fast_track(
            proposal=proposal, checks=CHECK_KEYS, rationale="Low risk.", by=secretariat
        )

    assert "need no other department's consent" in " ".join(refused.value.reasons)
    proposal.refresh_from_db()
    assert proposal.state == State.SCREENING
    assert not PanelDecision.objects.filter(proposal=proposal).exists()


def test_proposal_fast_track_needs_a_rationale(secretariat):
    proposal = in_screening(secretariat)

    with pytest.raises(ValidationError):
        proposal_fast_track(proposal=proposal, checks=CHECK_KEYS, rationale=" ", by=secretariat)

    proposal.refresh_from_db()
    assert proposal.state == State.SCREENING


# Pages


def test_secretariat_list_shows_the_longest_waiting_first_and_filters_by_state(client, secretariat):
    first = proposal_submitted()
    second = proposal_submitted()
    screening_start(proposal=second, by=secretariat)
    client.force_login(secretariat)

    response = client.get(LIST)

    titles = [proposal.pk for proposal in response.context["listing"]["proposals"]]
    assert titles.index(first.pk) < titles.index(second.pk)
    page = response.content.decode()
    assert "Screening" in page and "Submitted" in page
    screening = client.get(LIST, {"state": "screening"}).context["listing"]["proposals"]
    assert [proposal.pk for proposal in screening] == [second.pk]


def test_secretariat_list_links_each_proposal_to_the_page_where_its_next_step_is_taken(
    client, secretariat
):
    waiting = proposal_submitted()
    with_panel = proposal_submitted()
    screening_start(proposal=with_panel, by=secretariat)
    screening_pass(proposal=with_panel, checks=list(CHECK_KEYS), by=secretariat)
    client.force_login(secretariat)

    page = client.get(LIST).content.decode()

    assert reverse("projects:screen", kwargs={"pk": waiting.pk}) in page
    assert reverse("projects:panel", kwargs={"pk": with_panel.pk}) in page


def test_secretariat_list_refused_for_a_researcher(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    assert client.get(LIST).status_code == 403


@pytest.mark.parametrize("rows", [5, 200])
def test_secretariat_list_query_count_does_not_grow_with_rows(
    client, secretariat, rows, django_assert_max_num_queries, settings
):
    settings.STAFF_LISTS_KEPT_SECONDS = 0  # the list worked out, not kept from the warm-up
    from .factories import ProposalFactory

    # The rows proposal_submit leaves, made in bulk: two hundred through the services would
    # take longer than the rest of the module.
    ProposalFactory.create_batch(rows, state=State.SUBMITTED, datasets=[DatasetFactory()])
    client.force_login(secretariat)
    client.get(LIST)

    # Three more than the page needs: the staff declaration check, the header's count of
    # unread notifications and the latest event about proposals, which the kept list is kept
    # under. The page's keys and its rows are two queries, so the whole list is sorted by its
    # keys alone.
    with django_assert_max_num_queries(10):
        response = client.get(LIST)

    assert response.status_code == 200
    assert len(response.context["listing"]["proposals"]) == min(rows, PROPOSALS_PER_PAGE)


def test_screen_page_starts_screening(client, secretariat):
    proposal = proposal_submitted()
    client.force_login(secretariat)

    response = client.post(screen_url(proposal), {"action": "start"}, follow=True)

    assert "You have started screening the proposal." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == State.SCREENING


def test_screen_page_return_without_comments_keeps_what_was_ticked(client, secretariat):
    proposal = in_screening(secretariat)
    client.force_login(secretariat)

    response = client.post(
        screen_url(proposal), {"action": "return", "checks": ["complete", "gateway"]}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Say what needs changing in at least one section of the proposal" in page
    assert page.count("checked") == 2
    proposal.refresh_from_db()
    assert proposal.state == State.SCREENING


def test_screen_page_returns_with_comments_per_section(client, secretariat):
    proposal = in_screening(secretariat)
    client.force_login(secretariat)

    response = client.post(
        screen_url(proposal),
        {"action": "return", "comment_datasets": "Say why open data will not do."},
        follow=True,
    )

    assert "returned to its co-ordinator" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == State.RETURNED
    assert proposal.screenings.get().section_comments == {
        "datasets": "Say why open data will not do."
    }


def test_screen_page_fast_track_needs_every_check_and_a_rationale(client, secretariat):
    proposal = in_screening(secretariat)
    client.force_login(secretariat)

    response = client.post(screen_url(proposal), {"action": "fast_track", "checks": ["complete"]})

    page = response.content.decode()
    assert "Tick every check before you approve the proposal" in page
    assert "Say why the proposal is low-risk enough for the fast track" in page
    proposal.refresh_from_db()
    assert proposal.state == State.SCREENING


def test_screen_page_passes_on(client, secretariat):
    proposal = in_screening(secretariat)
    client.force_login(secretariat)

    response = client.post(
        screen_url(proposal), {"action": "pass", "checks": list(CHECK_KEYS)}, follow=True
    )

    assert "The proposal has been sent to the panel." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == State.PANEL_REVIEW


def test_screen_page_says_why_the_fast_track_is_closed(client, secretariat):
    proposal = in_screening(secretariat, consent_needed=True)
    client.force_login(secretariat)

    page = client.get(screen_url(proposal)).content.decode()

    assert 'id="fast-track-reasons"' in page
    assert "need no other department&#x27;s consent" in page


def test_screening_return_comments_are_shown_to_the_coordinator_beside_their_sections(
    client, secretariat
):
    proposal = in_screening(secretariat)
    screening_return(
        proposal=proposal,
        section_comments={"methods": "Name the regression model.", "outputs": "Say where."},
        by=secretariat,
    )
    client.force_login(proposal.coordinator)

    page = client.get(reverse("projects:proposal_detail", kwargs={"pk": proposal.pk}))

    html = page.content.decode()
    assert 'id="return-feedback"' in html
    assert html.index("Aims, methods and software") < html.index("Name the regression model.")
    assert html.index("Outputs and publication plan") < html.index("Say where.")


def test_secretariat_dashboard_links_to_the_proposals(client, secretariat):
    client.force_login(secretariat)

    page = client.get(reverse("dashboard:home")).content.decode()

    assert f'href="{LIST}"' in page
    assert f'href="{reverse("projects:representatives")}"' in page


def test_proposals_to_screen_index_covers_the_states_the_queue_lists():
    """The partial index the screening queues read from names its states as literals (a model's
    Meta cannot see its state choices): it must name the queue's own."""
    (index,) = [i for i in Proposal._meta.indexes if i.name == "proposals_to_screen"]
    ((lookup, states),) = index.condition.children
    assert lookup == "state__in"
    assert sorted(states) == sorted(Proposal.TO_SCREEN)

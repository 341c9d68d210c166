"""The pages link to the next step for the person who may take it, and to no one else."""

import pytest
from django.urls import reverse

from outputs.models import OutputRequest
from projects.models import Proposal
from tests.outputs.states import (
    approved_request,
    checker,
    output_request_at,
    released_request,
    reviewed_request,
)
from tests.projects.factories import accredited_researcher
from tests.projects.states import proposal_at

pytestmark = pytest.mark.django_db
State = OutputRequest.State


def _page(client, user, name, pk):
    client.force_login(user)
    response = client.get(reverse(name, kwargs={"pk": pk}))
    assert response.status_code == 200
    return response.content.decode()


def _request_with_group(*, state=State.DRAFT, team=()):
    project = proposal_at(Proposal.State.ACTIVE, team=list(team))
    output_request = output_request_at(state, project=project, votes=("changes", "changes"))
    return output_request, output_request.groups.get()


def _acro_url(group):
    return reverse("outputs:acro_upload", kwargs={"pk": group.request_id, "group_pk": group.pk})


@pytest.mark.parametrize("state", [State.DRAFT, State.RETURNED])
def test_request_detail_acro_link_shown_to_the_author_while_editable(client, state):
    output_request, group = _request_with_group(state=state)

    page = _page(client, output_request.author, "outputs:output_request_detail", output_request.pk)

    assert "Add an ACRO output folder" in page
    assert _acro_url(group) in page


def test_request_detail_acro_link_hidden_from_another_member(client):
    member = accredited_researcher()
    output_request, group = _request_with_group(team=[member])

    page = _page(client, member, "outputs:output_request_detail", output_request.pk)

    assert "Add an ACRO output folder" not in page
    assert _acro_url(group) not in page


def test_request_detail_acro_link_hidden_from_the_author_once_submitted(client):
    output_request, group = _request_with_group(state=State.SUBMITTED)

    page = _page(client, output_request.author, "outputs:output_request_detail", output_request.pk)

    assert "Add an ACRO output folder" not in page
    assert _acro_url(group) not in page


def test_review_page_release_button_shown_to_a_checker_once_approved(client):
    output_request = approved_request()

    page = _page(client, checker(), "outputs:review", output_request.pk)

    assert reverse("outputs:release", kwargs={"pk": output_request.pk}) in page


def test_review_page_release_button_hidden_before_approval(client):
    output_request, one, _two = reviewed_request()

    page = _page(client, one, "outputs:review", output_request.pk)

    assert reverse("outputs:release", kwargs={"pk": output_request.pk}) not in page


def test_review_page_release_button_hidden_once_released(client):
    output_request = released_request()

    page = _page(client, checker(), "outputs:review", output_request.pk)

    assert reverse("outputs:release", kwargs={"pk": output_request.pk}) not in page


def _released_urls(output_request):
    return [
        reverse("outputs:released_zip", kwargs={"pk": output_request.pk}),
        reverse("outputs:project_outputs", kwargs={"project_pk": output_request.project_id}),
    ]


def test_request_detail_released_links_shown_to_a_member(client):
    member = accredited_researcher()
    output_request = released_request(team=[member])

    page = _page(client, member, "outputs:output_request_detail", output_request.pk)

    for url in _released_urls(output_request):
        assert url in page


def test_request_detail_released_links_hidden_from_a_checker(client):
    output_request = released_request()

    page = _page(client, checker(), "outputs:output_request_detail", output_request.pk)

    for url in _released_urls(output_request):
        assert url not in page


def test_request_detail_released_links_hidden_before_release(client):
    output_request = approved_request()

    page = _page(client, output_request.author, "outputs:output_request_detail", output_request.pk)

    for url in _released_urls(output_request):
        assert url not in page

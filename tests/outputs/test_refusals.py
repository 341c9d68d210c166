"""Each refusal on an output request says who may take the step instead, in the words the
refused person reads: on the 403 page for a page, in the refusal a service raises for a step."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from identity.roles import Role
from outputs.models import FileGroup, OutputRequest
from projects.models import TeamMember
from tests.factories import UserFactory
from tests.outputs.factories import OutputRequestFactory
from tests.outputs.states import output_request_ready, output_request_submitted
from tests.refusals import refusal_shown
from workflow.services import transition_fire

pytestmark = pytest.mark.django_db
State = OutputRequest.State


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def refusal(step):
    with pytest.raises(PermissionDenied) as refused:
        step()
    return str(refused.value)


def acro_upload_url(group):
    return reverse("outputs:acro_upload", kwargs={"pk": group.request.pk, "group_pk": group.pk})


def test_acro_upload_page_tells_the_author_files_are_added_only_before_sending(client):
    output_request = output_request_submitted()
    client.force_login(output_request.author)

    response = client.get(acro_upload_url(output_request.groups.get()))

    assert refusal_shown(response) == (
        "Files can be added only while the request is a draft or returned, by its author."
    )


def test_acro_upload_page_is_not_found_for_a_team_member_who_is_not_the_author(client):
    member = UserFactory(roles=[Role.RESEARCHER])
    output_request = OutputRequestFactory(project__team=[member])
    group = FileGroup.objects.create(
        request=output_request, name="Tables", context="Tables.", disclosure_controls="None."
    )
    client.force_login(member)

    assert client.get(acro_upload_url(group)).status_code == 404


def test_request_submit_by_a_team_member_who_did_not_write_it_says_who_sends_it():
    member = UserFactory(roles=[Role.RESEARCHER])
    output_request = output_request_ready()
    TeamMember.objects.create(
        proposal=output_request.project,
        user=member,
        email=member.email,
        invited_by=output_request.author,
        accepted_at=output_request.created_at,
    )

    message = refusal(lambda: transition_fire(obj=output_request, transition="submit", by=member))

    assert message == (
        "“Submit” on this output request is for the author, while a member of the project."
    )


def test_request_submit_refused_to_an_author_who_has_left_the_project():
    member = UserFactory(roles=[Role.RESEARCHER])
    output_request = output_request_ready(
        author=member, project=OutputRequestFactory(project__team=[member]).project
    )
    TeamMember.objects.filter(proposal=output_request.project, user=member).delete()

    with pytest.raises(PermissionDenied):
        transition_fire(obj=output_request, transition="submit", by=member)

    output_request.refresh_from_db()
    assert output_request.state == State.DRAFT


def test_request_withdraw_by_someone_else_says_who_may_withdraw_it():
    output_request = OutputRequestFactory()

    message = refusal(
        lambda: transition_fire(obj=output_request, transition="withdraw", by=UserFactory())
    )

    assert message.endswith(
        "is for the author, or the service itself once nobody has worked on a draft for 60 days."
    )


def test_request_lapse_by_a_person_says_only_the_service_closes_it():
    output_request = output_request_submitted()
    checker = UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True)

    message = refusal(lambda: transition_fire(obj=output_request, transition="lapse", by=checker))

    assert message.endswith("is for the service itself, never a person.")

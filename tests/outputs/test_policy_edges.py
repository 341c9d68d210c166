"""The edges of the rules for sending outputs to the checkers: every group says which disclosure
controls were applied, and a request needs a file of its own, whatever other requests hold.
Mutation testing (`make mutate`) found these untested."""

import pytest

from outputs.request.services import group_add, group_update, output_request_submit
from tests.outputs.states import output_request_ready
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_request_submit_refused_while_a_group_does_not_say_its_disclosure_controls():
    output_request = output_request_ready()
    group = output_request.groups.get()
    group_update(
        group=group,
        by=output_request.author,
        name=group.name,
        context=group.context,
        disclosure_controls="",
    )

    with pytest.raises(TransitionRefused) as refused:
        output_request_submit(output_request=output_request, by=output_request.author)

    assert refused.value.reasons == [
        "Every group needs its context and the disclosure controls applied."
    ]


def test_request_submit_refused_without_a_file_of_its_own_beside_a_request_with_files():
    with_files = output_request_ready()
    empty = output_request_ready(project=with_files.project, groups=0)
    group_add(
        output_request=empty,
        by=empty.author,
        name="Tables",
        context="Counts of people by region.",
        disclosure_controls="Cells under 10 suppressed.",
    )

    with pytest.raises(TransitionRefused) as refused:
        output_request_submit(output_request=empty, by=empty.author)

    assert refused.value.reasons == ["The request needs at least one file."]

import pytest

from outputs.models import OutputRequest, OutputType
from outputs.request.services import output_request_submit
from outputs.tasks import run_checks
from tests.outputs.factories import OutputFileFactory
from tests.projects.factories import accredit
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db

AWAITING = "The automated checks must finish on every file before the request is sent."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _unchecked_table():
    output_file = OutputFileFactory(checks_run=False)
    accredit(output_file.group.request.author)
    return output_file


def test_request_submit_refused_while_a_table_awaits_its_checks():
    output_request = _unchecked_table().group.request

    with pytest.raises(TransitionRefused) as caught:
        output_request_submit(output_request=output_request, by=output_request.author)

    assert caught.value.reasons == [AWAITING]
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.DRAFT


def test_request_submit_allowed_once_the_checks_have_run():
    output_file = _unchecked_table()
    output_request = output_file.group.request

    run_checks(output_file.pk)
    output_request = output_request_submit(output_request=output_request, by=output_request.author)

    assert output_request.state == OutputRequest.State.SUBMITTED


@pytest.mark.parametrize(
    "output_type", [OutputType.FIGURE, OutputType.SURVIVAL_TABLE, OutputType.OTHER]
)
def test_request_submit_not_held_by_outputs_without_an_automated_check(output_type):
    output_file = OutputFileFactory(
        checks_run=False, output_type=output_type, name="figure.pdf", content=b"%PDF-1.4\n%%EOF\n"
    )
    output_request = output_file.group.request
    accredit(output_request.author)

    output_request = output_request_submit(output_request=output_request, by=output_request.author)

    assert output_request.state == OutputRequest.State.SUBMITTED

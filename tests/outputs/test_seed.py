from io import StringIO

import pytest
from django.core.management import call_command

from outputs.models import CheckResult, OutputRequest
from outputs.review.selectors import checker_queue_page
from researchers.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_leaves_one_output_request_for_the_checkers_with_a_flagged_cell(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    output_request = OutputRequest.objects.get()
    assert output_request.state == OutputRequest.State.SUBMITTED
    failed = CheckResult.objects.get(file__group__request=output_request, check_name="threshold")
    assert failed.outcome == "fail"
    assert len(failed.flagged_cells) == 1
    checker = User.objects.get(email="checker.one@example.gov.uk")
    queue = checker_queue_page(user=checker).object_list
    assert [entry.pk for entry in queue] == [output_request.pk]

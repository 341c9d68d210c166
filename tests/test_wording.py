"""Words a user reads: each error names its field, plurals agree, times read as the pages
write them."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from researchers.models import Qualification
from tests.researchers.profile_factories import QualificationFactory

pytestmark = pytest.mark.django_db


def test_sign_up_with_nothing_filled_in_says_what_each_field_needs(client):
    response = client.post(reverse("account_signup"), {})

    page = response.content.decode()
    summary = page[
        page.index("govuk-error-summary") : page.index("</ul>", page.index("govuk-error-summary"))
    ]
    for message in (
        "Enter your full name",
        "Enter your email address",
        "Enter a password",
        "Enter the password again",
    ):
        assert message in summary
    assert "This field is required" not in page


@pytest.mark.parametrize(
    ("years", "words"),
    [(1, "1 year's quantitative"), (3, "3 years' quantitative")],
)
def test_experience_reads_in_the_singular_and_the_plural(years, words):
    qualification = QualificationFactory(kind=Qualification.Kind.EXPERIENCE, years=years)

    assert str(qualification).startswith(words)


def test_a_time_shown_without_its_own_format_reads_as_the_pages_write_times():
    moment = timezone.make_aware(datetime.datetime(2026, 12, 6, 14, 28))

    shown = Template("{{ moment }}|{{ moment|time }}|{{ moment|date }}").render(
        Context({"moment": moment})
    )

    assert shown == "6 December 2026, 14:28|14:28|6 December 2026"

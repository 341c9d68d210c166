"""An output checker votes on a whole group of files with one form, and the page comes back to
that group, not to the top; a refused form shows its problems in the error summary with what
was entered kept. In Chromium, with axe on every page."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from outputs.models import FileVote
from tests.outputs.states import checker, submitted_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD = "Every cell checked by eye: each at least 10."


def _sign_in(page, user, live_server):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _group_in_view(page, group):
    """Where the group's heading is: its top inside the window, and the page scrolled to it."""
    return page.evaluate(
        """(id) => {
            const top = document.getElementById(id).getBoundingClientRect().top;
            return {top, height: window.innerHeight, scrolled: window.scrollY};
        }""",
        f"group-{group.pk}",
    )


def test_checker_saves_a_group_with_one_form_and_returns_to_that_group(checked_page, live_server):
    page = checked_page
    output_request = submitted_request(groups=4, files_per_group=3, failed=True)
    groups = list(output_request.groups.order_by("pk"))
    me = checker()
    _sign_in(page, me, live_server)
    url = live_server.url + reverse("outputs:review", kwargs={"pk": output_request.pk})
    page.goto(url)
    page.check_accessibility()

    # The last group: approve two files (with the record the failed checks need) and ask for
    # changes to the third, then save them all at once.
    last = groups[-1]
    files = list(last.files.order_by("pk"))
    section = page.locator(f"#group-{last.pk}")
    for output_file in files[:2]:
        card = section.locator(f"#file-{output_file.pk}")
        card.get_by_role("radio", name="Approve").check()
        card.get_by_label(f"Comment on {output_file.name}").fill(RECORD)
    section.locator(f"#file-{files[2].pk}").get_by_role("radio", name="Request changes").check()
    section.get_by_role("button", name=f"Save votes and comments on {last.name}").click()
    page.wait_for_url(f"{url}#group-{last.pk}")
    page.wait_for_load_state("load")
    page.check_accessibility()

    expect(page.locator("body")).to_contain_text(f"Your votes and comments on {last.name}")
    where = _group_in_view(page, last)
    assert where["scrolled"] > 0
    assert 0 <= where["top"] < where["height"] / 2
    assert FileVote.objects.filter(review__checker=me).count() == 3
    expect(section.get_by_role("radio", name="Request changes").last).to_be_checked()

    # The second group: one approval lacks the record; nothing is saved, and the summary says
    # what to put right, with everything entered still there.
    second = groups[1]
    files = list(second.files.order_by("pk"))
    section = page.locator(f"#group-{second.pk}")
    section.locator(f"#file-{files[0].pk}").get_by_role("radio", name="Approve").check()
    card = section.locator(f"#file-{files[1].pk}")
    card.get_by_role("radio", name="Approve").check()
    card.get_by_label(f"Comment on {files[1].name}").fill(RECORD)
    section.get_by_label(f"Comment on {second.name}").fill("Row totals match the paper.")
    page.follow(section.get_by_role("button", name=f"Save votes and comments on {second.name}"))
    page.check_accessibility()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("its automated checks failed")
    section = page.locator(f"#group-{second.pk}")
    expect(
        section.locator(f"#file-{files[0].pk}").get_by_role("radio", name="Approve")
    ).to_be_checked()
    expect(section.get_by_label(f"Comment on {files[1].name}")).to_have_value(RECORD)
    expect(section.get_by_label(f"Comment on {second.name}")).to_have_value(
        "Row totals match the paper."
    )
    assert FileVote.objects.filter(review__checker=me).count() == 3
    # The summary's link takes the checker to the comment that is missing.
    summary.get_by_role("link").first.click()
    expect(section.get_by_label(f"Comment on {files[0].name}")).to_be_focused()

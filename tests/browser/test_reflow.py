"""Every kind of page each demo person reaches from their dashboard fits a 320-pixel-wide screen
without scrolling sideways (WCAG 2.2, 1.4.10 Reflow); a wide table scrolls in its own area.

The pages are the ones the link-following test reaches by following links from each demo
person's dashboard: one page for each Django view, since pages of one view share a template.
"""

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import resolve, reverse

from audit.models import AuditEvent
from researchers.models import User
from tests.browser.conftest import REFLOW_WIDTH, reflow_problems
from tests.browser.test_accreditation_journey import become, session_cookie
from tests.link_following import crawl, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The people whose work the link-following test follows: a new researcher and an accredited
# one, then the secretariat, a panel reviewer, an output checker and a data owner.
RESEARCHERS = ("researcher.one@example.ac.uk", "researcher.two@example.ac.uk")
STAFF = (
    "secretariat@example.gov.uk",
    "reviewer.one@example.gov.uk",
    "checker.one@example.gov.uk",
    "data.owner@example.gov.uk",
)


def the_longest_audit_event():
    """The trail's events are reached through its list, which the crawl does not follow into;
    the one with the most to show is the one most likely to widen its page."""
    event = max(AuditEvent.objects.all(), key=lambda event: len(str(event.payload)))
    return reverse("audit:event_detail", args=[event.pk])


def one_page_per_view(answers):
    """The first page reached of each view, by the view's name."""
    pages = {}
    for url, status in answers.items():
        if status == 200:
            pages.setdefault(resolve(urlsplit(url).path).view_name, url)
    return pages


def test_every_kind_of_page_each_demo_person_reaches_reflows_at_320_pixels(
    page, live_server, migration_rows, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=StringIO())
    people = [User.objects.get(email=email) for email in RESEARCHERS]
    people += [staff(email) for email in STAFF]
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})

    problems = []
    for person in people:
        pages = one_page_per_view(crawl(Client(), person))
        assert "dashboard:home" in pages
        if "audit:event_list" in pages:
            pages["audit:event_detail"] = the_longest_audit_event()
        become(page, session_cookie(person, live_server))
        for view_name, url in pages.items():
            # The stylesheets have loaded by then: the page's module script waits for them.
            page.goto(live_server.url + url, wait_until="domcontentloaded")
            where = f"{person.email}, {view_name}"
            if urlsplit(page.url).path != urlsplit(url).path:
                problems.append(f"{where}: {url} led to {page.url}, not the page itself")
            elif problem := reflow_problems(page):
                problems.append(f"{where}: {problem}")

    assert not problems, "\n".join(problems)

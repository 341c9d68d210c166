import csv
import io
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accreditation.register.selectors import register_entries
from audit.views import EVENTS_PER_PAGE
from identity.roles import Role
from tests.accreditation.factories import AccreditationFactory
from tests.factories import UserFactory
from tests.seek_links import follow_pages, page_link

from .helpers import record_event

pytestmark = pytest.mark.django_db

LIST_URL = reverse("audit:event_list")
EXPORT_URL = reverse("audit:event_export")
# Sign-in, roles, the latest event and the two filter choice lists (kept under it), and the
# page of events: a fixed number whatever the size of the trail, with room for middleware and
# the layout's own reads.
MAX_LIST_QUERIES = 12


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def _hrefs(response):
    parser = _Links()
    parser.feed(response.text)
    return parser.hrefs


def listed_events(response):
    """The events a user sees listed, in order, by the link each row has to its detail page."""
    pks = []
    for href in _hrefs(response):
        match = re.fullmatch(r"/audit/(\d+)/(\?.*)?", href)
        if match:
            pks.append(int(match.group(1)))
    return pks


def _next_links(response):
    return [
        parse_qs(urlsplit(href).query)
        for href in _hrefs(response)
        if parse_qs(urlsplit(href).query).get("after")
    ]


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True, email="sam.secretariat@example.gov.uk")


@pytest.fixture
def secretariat_client(client, secretariat):
    client.force_login(secretariat)
    return client


@pytest.mark.parametrize(
    "role", [Role.RESEARCHER, Role.PANEL_REVIEWER, Role.OUTPUT_CHECKER, Role.DATA_OWNER]
)
@pytest.mark.parametrize("url_name", ["audit:event_list", "audit:event_detail"])
def test_audit_pages_refused_for_other_roles(client, role, url_name):
    event = record_event(action="test.happened")
    client.force_login(UserFactory(roles=[role], totp=True))
    args = [event.pk] if url_name == "audit:event_detail" else []

    response = client.get(reverse(url_name, args=args))

    assert response.status_code == 403


@pytest.mark.parametrize("url_name", ["audit:event_list", "audit:event_detail"])
def test_audit_pages_send_anonymous_visitors_to_sign_in(client, url_name):
    event = record_event(action="test.happened")
    args = [event.pk] if url_name == "audit:event_detail" else []

    response = client.get(reverse(url_name, args=args))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_event_list_shows_events_newest_first(secretariat_client):
    with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False):
        older = record_event(action="first.thing")
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=UTC), tick=False):
        newer = record_event(action="second.thing")

    response = secretariat_client.get(LIST_URL)

    assert response.status_code == 200
    assert listed_events(response) == [newer.pk, older.pk]


def test_event_list_shows_who_did_what_to_which_object(secretariat_client, secretariat):
    subject = UserFactory(full_name="Riley Researcher")
    record_event(
        actor=secretariat,
        action="accreditation.approve",
        obj=subject,
        from_state="submitted",
        to_state="approved",
    )

    response = secretariat_client.get(LIST_URL)

    text = response.text
    assert "sam.secretariat@example.gov.uk" in text
    assert "Accreditation approve" in text  # an unregistered code, spelt out
    assert f"User {subject.pk}" in text
    person_page = reverse("researchers:person_detail", kwargs={"pk": subject.pk})
    assert f'href="{person_page}">{subject}</a>' in text
    assert "submitted → approved" in text


def test_event_list_shows_the_time_in_the_local_time_zone_as_the_date_filter_writes_it(
    secretariat_client,
):
    from django.template import engines

    moment = datetime(2026, 9, 3, 23, 5, 7, 250000, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        record_event(action="first.thing")

    text = secretariat_client.get(LIST_URL).text

    # Five past midnight in London, on the next day, as the template's date filter writes it.
    written = engines["django"].from_string(
        """<time datetime="{{ t|date:'c' }}">{{ t|date:"j M Y H:i:s" }}</time>"""
    )
    expected = written.render({"t": moment})
    assert (
        expected == '<time datetime="2026-09-04T00:05:07.250000+01:00">4 Sep 2026 00:05:07</time>'
    )
    assert expected in text


def test_event_list_filters_by_actor_email(secretariat_client):
    dana = UserFactory(email="dana.owner@example.gov.uk")
    other = UserFactory(email="someone@example.ac.uk")
    danas = record_event(actor=dana, action="consent.give")
    record_event(actor=other, action="consent.give")
    record_event(actor=None, action="reminder.send")

    response = secretariat_client.get(LIST_URL, {"actor": "DANA.owner"})

    assert response.status_code == 200
    assert listed_events(response) == [danas.pk]


def test_event_list_filters_by_action(secretariat_client):
    approved = record_event(action="accreditation.approve")
    record_event(action="accreditation.reject")

    response = secretariat_client.get(LIST_URL, {"action": "accreditation.approve"})

    assert listed_events(response) == [approved.pk]
    # Only actions that have happened are offered.
    assert '<option value="accreditation.reject"' in response.text


def test_event_list_filters_by_object(secretariat_client):
    group = Group.objects.create(name="readers")
    person = UserFactory()
    about_group = record_event(action="group.change", obj=group)
    record_event(action="user.change", obj=person)

    by_type = secretariat_client.get(LIST_URL, {"object_type": "auth.group"})
    by_id = secretariat_client.get(
        LIST_URL, {"object_type": "researchers.user", "object_id": str(person.pk + 1000)}
    )

    assert listed_events(by_type) == [about_group.pk]
    assert listed_events(by_id) == []


def test_event_list_filters_by_object_id(secretariat_client):
    first, second = UserFactory(), UserFactory()
    about_first = record_event(action="user.change", obj=first)
    record_event(action="user.change", obj=second)

    response = secretariat_client.get(LIST_URL, {"object_id": str(first.pk)})

    assert listed_events(response) == [about_first.pk]


def test_event_list_filters_by_date_range(secretariat_client):
    events = {}
    for day in (1, 10, 20):
        with time_machine.travel(datetime(2026, 3, day, 12, tzinfo=UTC), tick=False):
            events[day] = record_event(action="test.happened")

    response = secretariat_client.get(
        # Typed day first, as the hint shows.
        LIST_URL,
        {"date_from": "5/3/2026", "date_to": "10/03/2026"},
    )
    from_only = secretariat_client.get(LIST_URL, {"date_from": "2026-03-10"})
    to_only = secretariat_client.get(LIST_URL, {"date_to": "2026-03-09"})

    assert listed_events(response) == [events[10].pk]
    assert listed_events(from_only) == [events[20].pk, events[10].pk]
    assert listed_events(to_only) == [events[1].pk]


def test_event_list_date_filter_uses_the_local_day(secretariat_client):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
    with time_machine.travel(datetime(2026, 6, 30, 23, 30, tzinfo=UTC), tick=False):
        event = record_event(action="test.happened")

    on_the_first = secretariat_client.get(LIST_URL, {"date_from": "2026-07-01"})

    assert listed_events(on_the_first) == [event.pk]


def test_event_list_date_range_backwards_shows_error_summary(secretariat_client):
    record_event(action="test.happened")

    response = secretariat_client.get(
        LIST_URL, {"date_from": "2026-03-10", "date_to": "2026-03-01"}
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "Date to must be the same as or after date from" in response.text
    assert 'value="2026-03-01"' in response.text
    assert listed_events(response) == []


def test_event_list_bad_date_shows_error_summary(secretariat_client):
    record_event(action="test.happened")

    response = secretariat_client.get(LIST_URL, {"date_from": "2026-02-31"})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "Date from must be a real date" in response.text
    assert 'value="2026-02-31"' in response.text
    assert listed_events(response) == []


def test_event_list_unknown_action_shows_error_summary(secretariat_client):
    record_event(action="test.happened")

    response = secretariat_client.get(LIST_URL, {"action": "no.such.action"})

    assert response.status_code == 200
    assert "Select an action from the list" in response.text


def test_event_list_empty_when_nothing_matches(secretariat_client):
    record_event(action="test.happened", actor=UserFactory())

    response = secretariat_client.get(LIST_URL, {"actor": "nobody-like-this"})

    assert response.status_code == 200
    assert listed_events(response) == []
    assert "No events match these filters" in response.text


def test_event_list_empty_before_anything_happened(secretariat_client):
    response = secretariat_client.get(LIST_URL)

    assert response.status_code == 200
    assert "No events recorded yet" in response.text


def _record_many(count, **kwargs):
    return [record_event(**kwargs) for _ in range(count)]


def test_event_list_pages_keeping_filters(secretariat_client):
    wanted = _record_many(EVENTS_PER_PAGE + 10, action="output.check")
    _record_many(5, action="other.thing")

    first = secretariat_client.get(LIST_URL, {"action": "output.check"})
    next_links = _next_links(first)
    second = secretariat_client.get(page_link(first, "next"))

    newest_first = [event.pk for event in reversed(wanted)]
    assert listed_events(first) == newest_first[:EVENTS_PER_PAGE]
    assert f"More than {EVENTS_PER_PAGE} events" in first.text
    assert next_links
    assert all(link.get("action") == ["output.check"] for link in next_links)
    assert listed_events(second) == newest_first[EVENTS_PER_PAGE:]
    assert f"More than {EVENTS_PER_PAGE} events" in second.text


def test_event_list_pages_forward_and_back_through_filtered_events_once_each(
    secretariat_client,
):
    with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False):
        # Events at the same moment, so the order falls back on the event to tell them apart.
        wanted = _record_many(70, action="output.check")
    wanted += _record_many(42, action="output.check")
    _record_many(5, action="other.thing")

    forward, backward = follow_pages(
        secretariat_client,
        LIST_URL,
        {"action": "output.check"},
        key=lambda event: event.pk,
        entries="listing.events",
    )

    assert [pk for page in forward for pk in page] == sorted(
        (event.pk for event in wanted), reverse=True
    )
    full, rest = divmod(len(wanted), EVENTS_PER_PAGE)
    assert [len(page) for page in forward] == [EVENTS_PER_PAGE] * full + [rest]
    assert backward == forward


@pytest.mark.parametrize("cursor", [{"after": "nonsense"}, {"before": "1:2"}, {"page": "x"}])
def test_event_list_with_a_broken_page_link_shows_the_newest_events(secretariat_client, cursor):
    wanted = _record_many(EVENTS_PER_PAGE + 5, action="output.check")

    response = secretariat_client.get(LIST_URL, {"action": "output.check", **cursor})

    assert response.status_code == 200
    assert listed_events(response) == [event.pk for event in reversed(wanted)][:EVENTS_PER_PAGE]


def test_event_list_page_link_of_another_list_shows_the_newest_events(client, secretariat):
    for _ in range(51):
        AccreditationFactory(application__register_consent=True)
    assert register_entries().count() == 51
    register_link = page_link(client.get(reverse("researcher_register:list")), "next")
    wanted = _record_many(3)
    client.force_login(secretariat)

    response = client.get(LIST_URL + register_link[register_link.index("?") :])

    assert response.status_code == 200
    assert listed_events(response)[:3] == [event.pk for event in reversed(wanted)]


@pytest.mark.parametrize("size", [5, 120])
def test_event_list_queries_do_not_grow_with_the_trail(
    secretariat_client, django_assert_max_num_queries, size
):
    for index in range(size):
        actor = UserFactory() if index % 10 == 0 else None
        record_event(actor=actor, action=f"kind.{index % 7}", obj=actor)

    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = secretariat_client.get(LIST_URL, {"date_from": "2026-01-01"})

    assert response.status_code == 200


@pytest.mark.parametrize("size", [60, 150])
def test_event_list_later_page_queries_do_not_grow_with_the_trail(
    secretariat_client, django_assert_max_num_queries, size
):
    for index in range(size):
        record_event(actor=UserFactory() if index % 10 == 0 else None, action=f"kind.{index % 7}")
    link = page_link(secretariat_client.get(LIST_URL), "next")

    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = secretariat_client.get(link)

    assert len(listed_events(response)) == min(size - EVENTS_PER_PAGE, EVENTS_PER_PAGE)


def test_event_export_reads_a_fixed_number_of_queries_a_chunk(
    secretariat_client, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr("audit.views.CSV_CHUNK_SIZE", 10)
    wanted = _record_many(45, actor=UserFactory(), action="output.check")

    # Session, user and roles, the two filter choice lists, then five chunks of events.
    with django_assert_max_num_queries(MAX_LIST_QUERIES + 5):
        response = secretariat_client.get(EXPORT_URL)
        _header, *rows = _csv_rows(response)

    assert [int(row[0]) for row in rows] == [event.pk for event in reversed(wanted)]


def test_event_list_same_queries_for_small_and_large_trails(secretariat_client):
    def queries_for_list():
        with CaptureQueriesContext(connection) as context:
            response = secretariat_client.get(LIST_URL)
        assert response.status_code == 200
        return len(context.captured_queries)

    for index in range(5):
        record_event(actor=UserFactory(), action=f"kind.{index}")
    small = queries_for_list()
    for index in range(115):
        record_event(actor=UserFactory() if index % 3 else None, action=f"kind.{index % 9}")
    large = queries_for_list()

    assert large == small


def test_event_detail_shows_every_field_and_the_payload(secretariat_client, secretariat, rf):
    subject = UserFactory(full_name="Riley Researcher")
    event = record_event(
        actor=secretariat,
        action="user.roles_change",
        obj=subject,
        from_state="researcher",
        to_state="secretariat",
        payload={"added": ["secretariat"], "note": "covering leave"},
        request=rf.get("/", REMOTE_ADDR="198.51.100.4"),
    )

    response = secretariat_client.get(reverse("audit:event_detail", args=[event.pk]))

    assert response.status_code == 200
    text = response.text
    for shown in [
        "user.roles_change",
        "sam.secretariat@example.gov.uk",
        "researchers.user",
        str(subject.pk),
        str(subject),
        "researcher",
        "secretariat",
        "198.51.100.4",
    ]:
        assert shown in text
    pre = re.search(r"<pre[^>]*>(.*?)</pre>", text, re.DOTALL).group(1)
    assert "&quot;added&quot;: [\n" in pre
    assert "&quot;note&quot;: &quot;covering leave&quot;" in pre


def test_event_detail_links_back_to_the_filtered_list(secretariat_client):
    event = record_event(action="test.happened")

    listing = secretariat_client.get(LIST_URL, {"action": "test.happened"})
    (detail_link,) = [href for href in _hrefs(listing) if href.startswith(f"/audit/{event.pk}/")]
    detail = secretariat_client.get(detail_link)

    assert f"{LIST_URL}?action=test.happened" in _hrefs(detail)


def test_event_detail_missing_event_is_not_found(secretariat_client):
    response = secretariat_client.get(reverse("audit:event_detail", args=[999999]))

    assert response.status_code == 404


def _csv_rows(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_event_export_downloads_the_filtered_events(secretariat_client, secretariat):
    subject = UserFactory(full_name="=HYPERLINK(1)")
    wanted = _record_many(3, actor=secretariat, action="output.release", obj=subject)
    record_event(action="other.thing")

    listing = secretariat_client.get(LIST_URL, {"action": "output.release", "page": "1"})
    (export_link,) = [href for href in _hrefs(listing) if href.startswith(EXPORT_URL)]
    response = secretariat_client.get(export_link)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-events-')
    header, *rows = _csv_rows(response)
    assert header[:4] == ["id", "time", "actor email", "action"]
    assert [int(row[0]) for row in rows] == [event.pk for event in reversed(wanted)]
    assert {row[2] for row in rows} == {"sam.secretariat@example.gov.uk"}
    # A spreadsheet must not run a name as a formula.
    assert {row[6] for row in rows} == {"'" + str(subject)}


@pytest.mark.parametrize("hostile", [" =HYPERLINK(1)", "Ada;=cmd|' /C calc'!A0"])
def test_event_export_neutralises_a_formula_after_spaces_or_a_separator(
    secretariat_client, secretariat, hostile
):
    subject = UserFactory(full_name=hostile)
    record_event(actor=secretariat, action="output.release", obj=subject)

    _, row = _csv_rows(secretariat_client.get(EXPORT_URL))

    assert row[6] == "'" + str(subject)
    assert str(subject) not in row


def test_event_export_with_bad_filters_returns_to_the_list(secretariat_client):
    response = secretariat_client.get(EXPORT_URL, {"date_from": "not a date"})

    assert response.status_code == 302
    assert response.url.startswith(LIST_URL)
    assert "govuk-error-summary" in secretariat_client.get(response.url).text


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.OUTPUT_CHECKER])
def test_event_export_refused_for_other_roles(client, role):
    client.force_login(UserFactory(roles=[role], totp=True))

    assert client.get(EXPORT_URL).status_code == 403


def _recursive_reads(client):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(LIST_URL).content.decode()
    return page, sum(1 for query in queries if "WITH RECURSIVE" in query["sql"])


def test_event_list_offers_an_action_recorded_since_the_last_visit_at_once(secretariat_client):
    record_event(action="kind.first")
    first, reads = _recursive_reads(secretariat_client)
    assert reads == 2
    assert 'value="kind.second"' not in first

    kept, reads = _recursive_reads(secretariat_client)
    assert reads == 0
    assert 'value="kind.first"' in kept

    record_event(action="kind.second")
    page, reads = _recursive_reads(secretariat_client)
    assert reads == 2
    assert 'value="kind.second"' in page

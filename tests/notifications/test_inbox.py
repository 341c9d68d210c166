"""The signed-in person's notification list, opening a notification, and the header's count."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from identity.roles import Role
from notifications.models import Notification
from tests.dashboard.helpers import INLINE_SCRIPT
from tests.factories import UserFactory
from tests.seek_links import follow_pages, page_link

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:notification_list")
MARK_ALL = reverse("notifications:mark_all_read")


def told(user, subject="Your project is active", *, link="/projects/", read=False, **kwargs):
    return Notification.objects.create(
        recipient=user,
        kind="proposal.activate",
        subject=subject,
        body="The team may begin work.",
        link=link,
        read_at=timezone.now() if read else None,
        **kwargs,
    )


def open_url(notification):
    return reverse("notifications:notification_open", kwargs={"pk": notification.pk})


@pytest.fixture
def researcher():
    return UserFactory(roles=[Role.RESEARCHER])


def test_notification_list_shows_own_notifications_newest_first_with_unread_marked(
    client, researcher
):
    at = timezone.now()
    older = told(researcher, "Your accreditation application has been sent", read=True)
    older.created_at = at - datetime.timedelta(days=2)
    older.save()
    newer = told(researcher, "Your accreditation application needs changes")
    told(UserFactory(), "Someone else's news")
    client.force_login(researcher)

    response = client.get(LIST)

    assert response.status_code == 200
    assert list(response.context["notifications"]) == [newer, older]
    page = response.content.decode()
    assert page.index(newer.subject) < page.index(older.subject)
    assert "Someone else's news" not in page
    assert page.count("govuk-tag--blue") == 1  # one unread
    assert "Unread" in page
    assert open_url(newer) in page
    assert timezone.localtime(older.created_at).strftime("%-d %B %Y") in page
    assert "Mark all as read" in page
    assert not INLINE_SCRIPT.search(page)


def test_notification_list_empty_says_so(client, researcher):
    client.force_login(researcher)

    page = client.get(LIST).content.decode()

    assert "You have no notifications yet" in page
    assert "Mark all as read" not in page


def test_notification_list_is_paginated(client, researcher):
    Notification.objects.bulk_create(
        Notification(recipient=researcher, kind="k", subject=f"Notice {n}") for n in range(30)
    )
    client.force_login(researcher)

    first = client.get(LIST)
    second = client.get(page_link(first, "next"))

    assert len(first.context["notifications"]) == 25
    assert len(second.context["notifications"]) == 5
    assert "More than 25 notifications" in first.content.decode()
    assert page_link(second, "next") is None


def test_notification_list_pages_forward_and_back_listing_each_once(client, researcher):
    at = timezone.now()
    # Some at the same moment, so the order falls back on the notification.
    Notification.objects.bulk_create(
        Notification(
            recipient=researcher,
            kind="k",
            subject=f"Notice {n}",
            created_at=at - datetime.timedelta(minutes=n // 4),
            needs_action=n % 2 == 0,
        )
        for n in range(60)
    )
    Notification.objects.bulk_create(
        Notification(recipient=UserFactory(), kind="k", subject="Someone else's") for _ in range(5)
    )
    client.force_login(researcher)

    for show, expected in [({}, 60), ({"show": "waiting"}, 30)]:
        forward, backward = follow_pages(
            client, LIST, show, key=lambda n: n.pk, entries="notifications"
        )

        listed = [pk for page in forward for pk in page]
        mine = Notification.objects.filter(recipient=researcher)
        if show:
            mine = mine.filter(needs_action=True)
        assert listed == list(mine.order_by("-created_at", "-pk").values_list("pk", flat=True))
        assert len(listed) == expected
        assert backward == forward


@pytest.mark.parametrize("cursor", [{"after": "nonsense"}, {"before": "a:b"}, {"page": "7"}])
def test_notification_list_with_a_broken_page_link_shows_the_newest(client, researcher, cursor):
    Notification.objects.bulk_create(
        Notification(recipient=researcher, kind="k", subject=f"Notice {n}") for n in range(30)
    )
    client.force_login(researcher)

    response = client.get(LIST, cursor)

    assert response.status_code == 200
    assert len(response.context["notifications"]) == 25


@pytest.mark.parametrize("rows", [3, 40])
def test_notification_list_queries_stay_fixed_whatever_the_number(
    client, researcher, rows, django_assert_max_num_queries
):
    Notification.objects.bulk_create(
        Notification(recipient=researcher, kind="k", subject=f"Notice {n}", link="/x/")
        for n in range(rows)
    )
    client.force_login(researcher)

    # Session, user and roles; the header's unread count; the count of what needs action; the
    # list's rows.
    with django_assert_max_num_queries(6):
        response = client.get(LIST)

    assert response.status_code == 200
    assert len(response.context["notifications"]) == min(rows, 25)


@pytest.mark.parametrize("rows", [30, 80])
def test_notification_list_later_page_queries_stay_fixed_whatever_the_number(
    client, researcher, rows, django_assert_max_num_queries
):
    Notification.objects.bulk_create(
        Notification(recipient=researcher, kind="k", subject=f"Notice {n}", link="/x/")
        for n in range(rows)
    )
    client.force_login(researcher)
    link = page_link(client.get(LIST), "next")

    with django_assert_max_num_queries(6):
        response = client.get(link)

    assert len(response.context["notifications"]) == min(rows - 25, 25)


def test_notification_open_marks_it_read_and_goes_to_its_page(client, researcher):
    notification = told(researcher, link="/accreditation/")
    client.force_login(researcher)

    with time_machine.travel(datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC), tick=False):
        response = client.get(open_url(notification))
    again = client.get(open_url(notification))

    assert response.status_code == 302
    assert response["Location"] == "/accreditation/"
    notification.refresh_from_db()
    # Read once: opening it again keeps the first time.
    assert notification.read_at == datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC)
    assert again["Location"] == "/accreditation/"


def test_notification_open_of_someone_elses_is_not_found(client, researcher):
    notification = told(UserFactory(roles=[Role.RESEARCHER]))
    client.force_login(researcher)

    response = client.get(open_url(notification))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("link", ["", "https://elsewhere.example.com/phish", "//evil.example/"])
def test_notification_open_without_a_page_of_the_service_goes_back_to_the_list(
    client, researcher, link
):
    notification = told(researcher, link=link)
    client.force_login(researcher)

    response = client.get(open_url(notification))

    assert response["Location"] == LIST
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_notifications_mark_all_read_marks_only_ones_own(client, researcher):
    mine = [told(researcher), told(researcher), told(researcher, read=True)]
    theirs = told(UserFactory())
    client.force_login(researcher)

    response = client.post(MARK_ALL, follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "2 notifications marked as read." in response.content.decode()


def test_notifications_mark_all_read_needs_the_csrf_token(researcher):
    from django.test import Client

    told(researcher)
    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher)

    response = client.post(MARK_ALL)

    assert response.status_code == 403
    assert Notification.objects.filter(recipient=researcher, read_at=None).count() == 1


def test_notifications_mark_all_read_by_get_changes_nothing(client, researcher):
    told(researcher)
    client.force_login(researcher)

    response = client.get(MARK_ALL)

    assert response["Location"] == LIST
    assert Notification.objects.filter(recipient=researcher, read_at=None).count() == 1


def test_header_shows_the_unread_count_to_the_signed_in_person(client, researcher):
    first = told(researcher)
    told(researcher)
    told(researcher, read=True)
    told(UserFactory())
    client.force_login(researcher)

    before = client.get(reverse("dashboard:home")).content.decode()
    client.get(open_url(first))
    after = client.get(reverse("dashboard:home")).content.decode()

    assert f'href="{LIST}"' in before
    assert '2<span class="govuk-visually-hidden"> unread</span>' in before
    assert '1<span class="govuk-visually-hidden"> unread</span>' in after


def test_header_shows_no_count_when_everything_is_read(client, researcher):
    told(researcher, read=True)
    client.force_login(researcher)

    page = client.get(reverse("dashboard:home")).content.decode()

    assert f'href="{LIST}"' in page
    assert "unread</span>" not in page


def test_header_has_no_notifications_for_anyone_signed_out(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        page = client.get(reverse("dashboard:start")).content.decode()

    assert f'href="{LIST}"' not in page

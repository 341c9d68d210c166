import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string

from dashboard.navigation import EVERYONE, SIGNED_IN, NavEntry, navigation_for
from identity.roles import Role


def render_pagination(rf, query, number, count=100, per_page=10):
    request = rf.get("/audit/", query)
    page_obj = Paginator(range(count), per_page).page(number)
    return render_to_string("components/pagination.html", {"page_obj": page_obj}, request=request)


def test_pagination_keeps_other_query_parameters(rf):
    html = render_pagination(rf, {"action": "role_grant", "page": "3"}, 3)

    assert 'href="?action=role_grant&amp;page=2" rel="prev"' in html
    assert 'href="?action=role_grant&amp;page=4" rel="next"' in html
    assert 'aria-current="page">3</a>' in html


def test_pagination_elides_distant_pages(rf):
    html = render_pagination(rf, {}, 5)

    assert "govuk-pagination__item--ellipses" in html
    assert 'aria-label="Page 1"' in html
    assert 'aria-label="Page 10"' in html
    assert 'aria-label="Page 8"' not in html


def test_pagination_leaves_out_previous_on_first_page(rf):
    html = render_pagination(rf, {}, 1)

    assert 'rel="prev"' not in html
    assert 'rel="next"' in html


def test_pagination_is_empty_for_a_single_page(rf):
    assert "govuk-pagination" not in render_pagination(rf, {}, 1, count=5)


ENTRIES = (
    NavEntry("Home", "dashboard:home", SIGNED_IN),
    NavEntry("Start", "dashboard:start", EVERYONE),
    NavEntry("Staff", "dashboard:home", frozenset({Role.SECRETARIAT})),
)


@pytest.mark.parametrize(
    ("signed_in", "roles", "labels"),
    [
        (False, set(), ["Start"]),
        (True, set(), ["Home", "Start"]),
        (True, {Role.SECRETARIAT}, ["Home", "Start", "Staff"]),
    ],
)
def test_navigation_shows_entries_to_their_audience(signed_in, roles, labels):
    links = navigation_for(signed_in=signed_in, roles=roles, path="/", entries=ENTRIES)

    assert [link.label for link in links] == labels


def test_navigation_marks_longest_matching_address_active():
    links = navigation_for(signed_in=True, roles=set(), path="/dashboard/x/", entries=ENTRIES)

    assert [link.label for link in links if link.active] == ["Home"]


def test_back_link_before_content_sits_in_a_navigation_landmark():
    from django.template import engines

    page = engines["django"].from_string(
        '{% extends "base.html" %}{% block before_content %}'
        '{% include "components/back_link.html" with url="/legislation/" %}{% endblock %}'
    )
    html = page.render({})

    landmark = '<nav class="app-before-content" aria-label="Back">'
    assert landmark + '<a href="/legislation/" class="govuk-back-link">Back</a></nav>' in html


def test_breadcrumbs_before_content_are_left_as_their_own_landmark():
    from django.template import engines

    page = engines["django"].from_string(
        '{% extends "base.html" %}{% block before_content %}'
        '<nav class="govuk-breadcrumbs" aria-label="Breadcrumb"></nav>{% endblock %}'
    )
    html = page.render({})

    assert "app-before-content" not in html
    assert 'class="govuk-breadcrumbs"' in html


def test_scroll_region_puts_a_table_in_a_named_area_keyboard_users_can_scroll():
    from django.template import engines

    page = engines["django"].from_string(
        '{% load govuk %}{% scroll_region "Files in" name %}<table></table>{% endscroll_region %}'
    )
    html = page.render({"name": "Tables <for> the paper"})

    assert html == (
        '<div class="app-table-scroll" role="region" aria-label="Files in Tables &lt;for&gt; '
        'the paper" tabindex="0"><table></table></div>'
    )


def test_every_table_on_a_page_scrolls_in_its_own_area():
    """A table wider than a phone's screen scrolls by itself instead of the page (WCAG 1.4.10);
    PDFs and emails, which nobody scrolls, are left out."""
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "templates"
    bare = []
    for path in folder.rglob("*.html"):
        text = path.read_text()
        if "<table" not in text or "pdf" in path.name or "email" in path.parts:
            continue
        if text.count("<table") != text.count("{% scroll_region"):
            bare.append(str(path.relative_to(folder)))
    assert bare == [], bare

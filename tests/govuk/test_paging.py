"""The paginator that counts a list from its first page when the list fits on it gives the
pages Django's paginator gives, with no count of a list that fits on one page."""

import pytest
from django.core.paginator import Paginator

from govuk.paging import ShortListPaginator
from researchers.models import User
from tests.factories import UserFactory

PER_PAGE = 5


def _shown(page):
    return (list(page.object_list), page.number, page.paginator.num_pages, page.paginator.count)


@pytest.mark.parametrize("size", [0, 1, PER_PAGE, PER_PAGE + 1, 2 * PER_PAGE + 1])
@pytest.mark.parametrize("number", [None, "", "1", 1, "2", "3", "9", "0", "two"])
def test_short_list_paginator_gives_the_pages_django_gives(size, number):
    rows = list(range(size))

    ours = ShortListPaginator(rows, PER_PAGE).get_page(number)
    django = Paginator(rows, PER_PAGE).get_page(number)

    assert _shown(ours) == _shown(django)


@pytest.mark.django_db
def test_a_list_that_fits_on_one_page_is_read_without_a_count(django_assert_num_queries):
    UserFactory.create_batch(3)
    people = User.objects.order_by("pk")

    with django_assert_num_queries(1):
        page = ShortListPaginator(people, PER_PAGE).get_page(None)
        assert (len(page), page.paginator.num_pages, page.has_next()) == (3, 1, False)


@pytest.mark.django_db
def test_a_longer_list_is_counted_for_its_pages(django_assert_num_queries):
    UserFactory.create_batch(PER_PAGE + 2)
    people = User.objects.order_by("pk")

    with django_assert_num_queries(2):
        page = ShortListPaginator(people, PER_PAGE).get_page("1")
        assert (len(page), page.paginator.num_pages, page.has_next()) == (PER_PAGE, 2, True)

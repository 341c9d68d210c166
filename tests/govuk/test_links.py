"""Links to many rows of one kind, each as ``reverse`` would write it."""

import pytest
from django.urls import reverse

from govuk.links import url_for_ids


@pytest.mark.parametrize("pk", [1, 42, "7", "0012", 2**63 - 1])
def test_an_id_of_digits_gives_the_url_reverse_gives(pk):
    assert url_for_ids("audit:event_detail")(pk) == reverse("audit:event_detail", kwargs={"pk": pk})


@pytest.mark.parametrize("pk", ["", "abc", "12/3", "١٢"])
def test_an_id_the_url_does_not_take_gives_none(pk):
    assert url_for_ids("audit:event_detail")(pk) is None


def test_a_url_without_such_an_id_gives_none():
    assert url_for_ids("audit:event_list")(1) is None


def test_an_id_keeps_the_script_prefix_of_the_request_it_is_made_for(settings):
    from django.urls import get_script_prefix, set_script_prefix

    before = get_script_prefix()
    set_script_prefix("/service/")
    try:
        url = url_for_ids("audit:event_detail")(5)
    finally:
        set_script_prefix(before)
    assert url == "/service/audit/5/"

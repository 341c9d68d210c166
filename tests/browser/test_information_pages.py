import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "link",
    [
        "Accessibility statement",
        "Privacy",
        "Cookies",
        "Check a declaration",
        "Check a release record",
    ],
)
def test_footer_pages_open_from_the_start_page_and_reflow_at_320_pixels(
    checked_page, live_server, link
):
    page = checked_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url)

    page.follow(page.locator("footer").get_by_role("link", name=link, exact=True))
    page.check_accessibility()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320


def test_public_register_reflows_at_320_pixels_its_table_scrolling_in_its_own_area(
    checked_page, live_server
):
    from tests.accreditation.factories import AccreditationFactory

    AccreditationFactory(researcher__full_name="Maximiliana Featherstonehaugh-Worthington")
    page = checked_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/register/researchers/")

    page.check_accessibility()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    expect(page.get_by_role("region", name="Accredited researchers")).to_be_visible()

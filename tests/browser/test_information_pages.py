import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("link", ["Accessibility statement", "Privacy", "Cookies"])
def test_footer_pages_open_from_the_start_page_and_reflow_at_320_pixels(
    checked_page, live_server, link
):
    page = checked_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url)

    page.locator("footer").get_by_role("link", name=link, exact=True).click()

    page.wait_for_load_state("load")
    page.check_accessibility()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320

import pytest
from playwright.sync_api import expect

from identity.roles import Role
from researchers.declaration.models import DeclarationVersion
from researchers.declaration.services import (
    declaration_render_and_sign,
    declaration_version_publish,
)
from tests.browser.test_accreditation_journey import become, session_cookie
from tests.factories import UserFactory
from tests.researchers.states import declaration_pending

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_declaration_page_updates_itself_once_the_signed_copy_is_ready_and_links_its_check(
    checked_page, live_server
):
    page = checked_page
    if DeclarationVersion.objects.current() is None:
        # Transactional tests empty every table, the data migration's first version included.
        declaration_version_publish(text="I will keep unpublished data confidential.", by=None)
    researcher = UserFactory(full_name="Amara Okafor", roles=[Role.RESEARCHER])
    declaration = declaration_pending(researcher)
    become(page, session_cookie(researcher, live_server))
    page.goto(f"{live_server.url}/declaration/")
    expect(page.get_by_text("This page updates itself when it is ready")).to_be_visible()
    page.check_accessibility()

    declaration_render_and_sign(declaration=declaration)

    # No reload by hand: the page notices the copy is ready.
    expect(page.get_by_text(f"Your reference is {declaration.reference}")).to_be_visible(
        timeout=10_000
    )
    page.get_by_role("link", name="declaration checking page").click()
    expect(page.get_by_text("Amara Okafor")).to_be_visible()
    page.check_accessibility()

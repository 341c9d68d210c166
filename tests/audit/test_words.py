"""The audit trail speaks in words, with links to the objects, and keeps its codes for export."""

import ast
import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accreditation.models import Accreditation
from audit.describe import action_describe, object_url, object_urls
from audit.hooks import action_words
from audit.models import AuditEvent
from identity.roles import Role
from researchers import services as role_services
from tests.accreditation.factories import AccreditationFactory
from tests.factories import UserFactory
from workflow.audit_words import transition_words

pytestmark = pytest.mark.django_db

APPS = (
    "researchers",
    "accreditation",
    "projects",
    "outputs",
    "legislation",
    "reports",
    "retention",
    "audit",
)
# Actions whose code is built in the call, spelt out here as the code can build them.
BUILT = {
    'f"accreditation_application.supervision_{verb}"': (
        "accreditation_application.supervision_confirm",
        "accreditation_application.supervision_decline",
    ),
    'f"proposal.team_{verb}"': ("proposal.team_accept", "proposal.team_decline"),
}


def _constants():
    values = {}
    for app in APPS:
        for path in Path(settings.BASE_DIR, app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                ):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            values[target.id] = node.value.value
    return values


def recorded_actions():
    """Every action code an ``audit_record(action=...)`` call in the apps can write."""
    constants = _constants()
    actions = set()
    for app in APPS:
        for path in Path(settings.BASE_DIR, app).rglob("*.py"):
            if "migrations" in path.parts or "management" in path.parts:
                continue
            source = path.read_text()
            for node in ast.walk(ast.parse(source)):
                if not (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) == "audit_record"
                ):
                    continue
                for keyword in node.keywords:
                    if keyword.arg != "action":
                        continue
                    value = keyword.value
                    if isinstance(value, ast.Constant):
                        actions.add(value.value)
                    elif isinstance(value, ast.Name) and value.id in constants:
                        actions.add(constants[value.id])
                    elif isinstance(value, ast.IfExp):
                        actions.update(
                            part.value
                            for part in (value.body, value.orelse)
                            if isinstance(part, ast.Constant)
                        )
                    else:
                        built = ast.get_source_segment(source, value)
                        assert built in BUILT, f"{path}: say what {built} can be"
                        actions.update(BUILT[built])
    return actions


def test_every_action_the_service_records_has_words():
    actions = recorded_actions() | set(transition_words())

    missing = sorted(action for action in actions if not action_words(action))

    assert len(actions) > 80
    assert not missing, f"No words for: {missing}"


def test_transitions_speak_in_the_past_tense_of_their_buttons():
    words = transition_words()

    assert words["accreditation_application.return_to_applicant"] == (
        "Returned for changes (accreditation application)"
    )
    assert words["proposal.send_to_panel"] == "Sent to the panel (proposal)"
    assert words["accreditation.suspend"] == "Suspended (accreditation)"


def test_an_unregistered_code_is_spelt_out_not_shown_raw():
    assert action_describe("thing_made.new_step") == "Thing made new step"


@pytest.fixture
def secretariat(client):
    user = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    client.force_login(user)
    return user


def test_audit_list_says_what_happened_and_links_the_object(client, secretariat):
    person = UserFactory(full_name="Owen Price", roles=[Role.OUTPUT_CHECKER])
    role_services.role_revoke(user=person, role=Role.OUTPUT_CHECKER, by=secretariat)
    accreditation = AccreditationFactory()
    from workflow.services import transition_fire

    transition_fire(
        obj=accreditation, transition="suspend", by=secretariat, reasons="Breach of conditions"
    )

    page = client.get(reverse("audit:event_list")).content.decode()

    assert "Took a role away" in page
    assert "Suspended (accreditation)" in page
    assert "researchers.role_revoked" not in page.split("<table")[1]
    person_page = reverse("researchers:person_detail", kwargs={"pk": person.pk})
    assert f'href="{person_page}"' in page
    accreditation_page = reverse(
        "accreditation:accreditation_detail", kwargs={"pk": accreditation.pk}
    )
    assert f'href="{accreditation_page}"' in page
    # The link leads to the object's own page.
    assert client.get(accreditation_page).status_code == 200


def test_audit_filter_offers_actions_by_their_words(client, secretariat):
    role_services.role_grant(user=UserFactory(), role=Role.RESEARCHER, by=secretariat)

    page = client.get(reverse("audit:event_list")).content.decode()

    assert re.search(r'<option value="researchers.role_granted"[^>]*>Gave a role</option>', page)


def test_audit_detail_shows_words_and_keeps_the_code(client, secretariat):
    role_services.role_grant(user=UserFactory(), role=Role.RESEARCHER, by=secretariat)
    event = AuditEvent.objects.get(action="researchers.role_granted")

    page = client.get(reverse("audit:event_detail", kwargs={"pk": event.pk})).content.decode()

    assert '<h1 class="govuk-heading-l">Gave a role</h1>' in page
    assert "<code>researchers.role_granted</code>" in page


def test_audit_export_keeps_the_code_beside_the_words(client, secretariat):
    role_services.role_grant(user=UserFactory(), role=Role.RESEARCHER, by=secretariat)

    response = client.get(reverse("audit:event_export"))

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["action"] == "researchers.role_granted"
    assert rows[0]["what happened"] == "Gave a role"


def test_object_pages_are_built_without_a_query(django_assert_num_queries):
    accreditation_type = Accreditation._meta.label_lower
    with django_assert_num_queries(0):
        url = object_url(accreditation_type, "12")
    assert url == reverse("accreditation:accreditation_detail", kwargs={"pk": 12})


@pytest.mark.parametrize("object_id", ["12", "0012", "", "not-a-number"])
def test_a_page_of_object_links_gives_what_object_url_gives(object_id):
    accreditation_type = Accreditation._meta.label_lower
    urls = object_urls()
    for object_type in (accreditation_type, "unknown.thing", ""):
        assert urls(object_type, object_id) == object_url(object_type, object_id)

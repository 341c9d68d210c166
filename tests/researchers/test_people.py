import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role
from researchers import services
from researchers.views import PEOPLE_PER_PAGE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(client):
    user = UserFactory(roles=[Role.SECRETARIAT], totp=True, full_name="Helen Ashworth")
    client.force_login(user)
    return user


def _roles_url(person):
    return reverse("researchers:person_roles", kwargs={"pk": person.pk})


@pytest.mark.parametrize(
    "role", [Role.RESEARCHER, Role.PANEL_REVIEWER, Role.OUTPUT_CHECKER, Role.DATA_OWNER]
)
@pytest.mark.parametrize("url_name", ["people_list", "person_detail", "person_roles"])
def test_people_pages_forbidden_without_secretariat_role(client, role, url_name):
    user = UserFactory(roles=[role], totp=True)
    client.force_login(user)
    kwargs = {} if url_name == "people_list" else {"pk": user.pk}

    response = client.get(reverse(f"researchers:{url_name}", kwargs=kwargs))

    assert response.status_code == 403


def test_people_pages_ask_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("researchers:people_list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_people_list_search_by_name_or_email(client, secretariat):
    UserFactory(full_name="Ada Lovelace", email="ada@example.ac.uk")
    UserFactory(full_name="Charles Babbage", email="cb@engine.example.org")

    by_name = client.get(reverse("researchers:people_list"), {"q": "lovelace"})
    by_email = client.get(reverse("researchers:people_list"), {"q": "engine.example"})

    assert [p.full_name for p in by_name.context["people"]] == ["Ada Lovelace"]
    assert [p.full_name for p in by_email.context["people"]] == ["Charles Babbage"]


def test_people_list_filter_by_role(client, secretariat):
    UserFactory(full_name="Checker Person", roles=[Role.OUTPUT_CHECKER])
    UserFactory(full_name="Researcher Person", roles=[Role.RESEARCHER])

    response = client.get(reverse("researchers:people_list"), {"role": Role.OUTPUT_CHECKER})

    assert [p.full_name for p in response.context["people"]] == ["Checker Person"]
    assert "Checker Person" in response.content.decode()


def test_people_list_unknown_role_shows_an_error_not_a_crash(client, secretariat):
    response = client.get(reverse("researchers:people_list"), {"role": "pharaoh"})

    assert response.status_code == 200
    assert response.context["filter"].form.errors


def test_people_list_paginates(client, secretariat):
    UserFactory.create_batch(PEOPLE_PER_PAGE + 5)

    first = client.get(reverse("researchers:people_list"))
    second = client.get(reverse("researchers:people_list"), {"page": 2})

    assert len(first.context["people"]) == PEOPLE_PER_PAGE
    # The secretariat member is listed too.
    assert len(second.context["people"]) == 6


@pytest.mark.parametrize("people", [3, 40])
def test_people_list_query_count_does_not_grow_with_people(
    client, secretariat, django_assert_max_num_queries, people
):
    for index in range(people):
        UserFactory(roles=[list(Role)[index % len(Role)]])

    # Session, user, their roles, their two-factor check, their declaration, their unread
    # notifications, count, page, the page's groups.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("researchers:people_list"))

    assert response.status_code == 200


def test_person_detail_shows_roles_two_factor_and_recent_events(client, secretariat):
    person = UserFactory(full_name="Priya Raman", roles=[Role.PANEL_REVIEWER])
    services.role_grant(user=person, role=Role.DATA_OWNER, by=secretariat)

    response = client.get(reverse("researchers:person_detail", kwargs={"pk": person.pk}))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Priya Raman" in page
    assert person.email in page
    assert "Panel reviewer" in page
    assert "Data owner" in page
    assert "Not set up" in page
    assert [e.action for e in response.context["events"]] == ["researchers.role_granted"]
    assert response.context["person"].email_verified is True


def test_person_roles_grant_and_revoke_write_audit_events(client, secretariat):
    person = UserFactory(roles=[Role.RESEARCHER, Role.OUTPUT_CHECKER])

    response = client.post(_roles_url(person), {"roles": [Role.RESEARCHER, Role.PANEL_REVIEWER]})

    assert response.status_code == 302
    assert response.url == reverse("researchers:person_detail", kwargs={"pk": person.pk})
    assert person.held_roles() == [Role.RESEARCHER, Role.PANEL_REVIEWER]
    events = AuditEvent.objects.filter(object_id=str(person.pk), object_type="researchers.user")
    assert {(e.action, e.payload["role"], e.actor) for e in events} == {
        ("researchers.role_granted", "panel_reviewer", secretariat),
        ("researchers.role_revoked", "output_checker", secretariat),
    }


def test_person_roles_form_shows_current_roles_ticked(client, secretariat):
    person = UserFactory(roles=[Role.DATA_OWNER])

    response = client.get(_roles_url(person))

    assert response.status_code == 200
    assert response.context["form"]["roles"].value() == [Role.DATA_OWNER]


def test_person_roles_page_says_what_taking_a_role_away_ends_for_good(client, secretariat):
    person = UserFactory(roles=[Role.OUTPUT_CHECKER])

    page = client.get(_roles_url(person)).content.decode()

    endings = page[page.index('id="role-endings"') :]
    assert "this cannot be undone: giving the role back later does not bring it back" in endings
    assert "Output checker: Open reviews of output requests" in endings


def test_person_roles_unchanged_writes_no_audit_event(client, secretariat):
    person = UserFactory(roles=[Role.DATA_OWNER])

    client.post(_roles_url(person), {"roles": [Role.DATA_OWNER]})

    assert not AuditEvent.objects.filter(object_id=str(person.pk)).exists()


def test_secretariat_cannot_remove_own_secretariat_role(client, secretariat):
    response = client.post(_roles_url(secretariat), {"roles": [Role.OUTPUT_CHECKER]})

    assert response.status_code == 200
    assert "You cannot remove your own secretariat role" in response.content.decode()
    # Nothing changes, not even the role that was being added.
    assert secretariat.held_roles() == [Role.SECRETARIAT]
    assert not AuditEvent.objects.filter(action__startswith="researchers.role_").exists()


def test_secretariat_can_remove_another_members_secretariat_role(client, secretariat):
    colleague = UserFactory(roles=[Role.SECRETARIAT])

    client.post(_roles_url(colleague), {"roles": []})

    assert colleague.held_roles() == []


def test_researcher_role_cannot_be_removed(client, secretariat):
    person = UserFactory(roles=[Role.RESEARCHER])

    response = client.post(_roles_url(person), {"roles": [Role.PANEL_REVIEWER]})

    assert response.status_code == 200
    assert "researcher role comes with registration" in response.content.decode()
    assert person.held_roles() == [Role.RESEARCHER]


def test_person_roles_unknown_role_shows_an_error(client, secretariat):
    person = UserFactory()

    response = client.post(_roles_url(person), {"roles": ["pharaoh"]})

    assert response.status_code == 200
    assert response.context["form"].errors["roles"]


def test_role_grant_service_refuses_non_secretariat(secretariat):
    from django.core.exceptions import PermissionDenied

    checker = UserFactory(roles=[Role.OUTPUT_CHECKER])
    person = UserFactory()

    with pytest.raises(PermissionDenied) as refused:
        services.role_grant(user=person, role=Role.SECRETARIAT, by=checker)
    assert str(refused.value) == "Only the secretariat can give or take away roles."

    assert not Group.objects.get(name=Role.SECRETARIAT).user_set.filter(pk=person.pk).exists()


def test_role_revoke_service_records_actor_and_role(secretariat):
    person = UserFactory(roles=[Role.PANEL_REVIEWER])

    services.role_revoke(user=person, role=Role.PANEL_REVIEWER, by=secretariat)

    event = AuditEvent.objects.get(action="researchers.role_revoked")
    assert (event.actor, event.payload, event.object_id) == (
        secretariat,
        {"role": "panel_reviewer"},
        str(person.pk),
    )
    assert person.held_roles() == []


@pytest.mark.parametrize("url_name", ["person_detail", "person_roles"])
def test_person_pages_not_found_for_unknown_person(client, secretariat, url_name):
    response = client.get(reverse(f"researchers:{url_name}", kwargs={"pk": 999999}))

    assert response.status_code == 404

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role
from legislation.access_modes import AccessMode
from legislation.models import Act, Dataset, Governs
from tests.factories import UserFactory
from tests.legislation.factories import ActFactory, DatasetFactory, DepartmentFactory

pytestmark = pytest.mark.django_db

EDIT_URLS = [
    ("legislation:act_create", []),
    ("legislation:act_edit", ["census-act-1920"]),
    ("legislation:dataset_create", []),
    ("legislation:dataset_edit", ["labour-force-survey"]),
]


@pytest.fixture
def secretariat_client(client):
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))
    return client


def act_form_data(act, **overrides):
    data = {
        "title": act.title,
        "slug": act.slug,
        "year": str(act.year),
        "governs": list(act.governs),
        "summary": act.summary,
        "official_url": act.official_url,
    }
    data.update(overrides)
    return data


def dataset_form_data(dataset, **overrides):
    data = {
        "name": dataset.name,
        "slug": dataset.slug,
        "description": dataset.description,
        "department": str(dataset.department_id),
        "acts": [str(act.pk) for act in dataset.acts.all()],
        "consent_required": "yes" if dataset.consent_required else "no",
        "access_mode": dataset.access_mode,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(("name", "args"), EDIT_URLS)
def test_catalogue_editing_sends_anonymous_visitors_to_sign_in(client, name, args):
    response = client.get(reverse(name, args=args))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "args"), EDIT_URLS)
@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.DATA_OWNER, Role.PANEL_REVIEWER])
def test_catalogue_editing_refused_for_other_roles(client, name, args, role):
    client.force_login(UserFactory(roles=[role], totp=role != Role.RESEARCHER))

    assert client.get(reverse(name, args=args)).status_code == 403
    assert client.post(reverse(name, args=args), {}).status_code == 403


@pytest.mark.parametrize(("name", "args"), EDIT_URLS)
def test_catalogue_editing_pages_open_for_the_secretariat(secretariat_client, name, args):
    response = secretariat_client.get(reverse(name, args=args))

    assert response.status_code == 200
    assert '<form method="post"' in response.text


def test_act_edit_saves_and_audits_the_change(secretariat_client):
    act = Act.objects.get(slug="census-act-1920")
    old_summary = act.summary
    new_summary = "Provides for a census of the population, and keeps the returns confidential."

    response = secretariat_client.post(
        reverse("legislation:act_edit", args=[act.slug]),
        act_form_data(act, summary=new_summary, governs=[Governs.ACCESS, Governs.RETENTION]),
    )

    assert response.status_code == 302
    assert response.url == reverse("legislation:act_detail", args=[act.slug])
    act.refresh_from_db()
    assert act.summary == new_summary
    assert act.governs == [Governs.ACCESS, Governs.RETENTION]
    event = AuditEvent.objects.get(action="legislation.act_updated", object_id=str(act.pk))
    assert event.actor == response.wsgi_request.user
    assert event.payload == {
        "changed": {
            "summary": [old_summary, new_summary],
            "governs": [[Governs.ACCESS], [Governs.ACCESS, Governs.RETENTION]],
        }
    }
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert messages == ["Census Act 1920 has been updated."]


def test_act_edit_without_changes_writes_no_audit_event(secretariat_client):
    act = Act.objects.get(slug="census-act-1920")

    response = secretariat_client.post(
        reverse("legislation:act_edit", args=[act.slug]), act_form_data(act)
    )

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="legislation.act_updated").exists()


def test_act_create_adds_the_act_and_audits_it(secretariat_client):
    response = secretariat_client.post(
        reverse("legislation:act_create"),
        {
            "title": "Registration Service Act 1953",
            "slug": "registration-service-act-1953",
            "year": "1953",
            "governs": [Governs.ACCESS],
            "summary": "Sets out how births and deaths are registered.",
            "official_url": "",
        },
    )

    act = Act.objects.get(slug="registration-service-act-1953")
    assert response.url == reverse("legislation:act_detail", args=[act.slug])
    event = AuditEvent.objects.get(action="legislation.act_created")
    assert event.object_id == str(act.pk)
    assert event.payload["changed"]["title"] == [None, "Registration Service Act 1953"]
    assert secretariat_client.get(response.url).status_code == 200


def test_act_edit_invalid_input_shows_the_error_summary_and_keeps_it(secretariat_client):
    act = Act.objects.get(slug="census-act-1920")

    response = secretariat_client.post(
        reverse("legislation:act_edit", args=[act.slug]),
        act_form_data(act, year="3020", title="Census Act (amended)", governs=[]),
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "Year must be between 1200 and" in response.text
    assert "Select at least one thing the act governs" in response.text
    assert 'value="3020"' in response.text
    assert 'value="Census Act (amended)"' in response.text
    act.refresh_from_db()
    assert act.year == 1920
    assert not AuditEvent.objects.exists()


def test_act_create_refuses_a_slug_already_used(secretariat_client):
    response = secretariat_client.post(
        reverse("legislation:act_create"),
        {
            "title": "Another Census Act 1920",
            "slug": "census-act-1920",
            "year": "1920",
            "governs": [Governs.ACCESS],
            "summary": "A duplicate.",
        },
    )

    assert response.status_code == 200
    assert "Another act already uses this web address name" in response.text
    assert Act.objects.filter(slug="census-act-1920").count() == 1


def test_act_create_refuses_a_reserved_slug(secretariat_client):
    response = secretariat_client.post(
        reverse("legislation:act_create"),
        {
            "title": "New Act 2020",
            "slug": "new",
            "year": "2020",
            "governs": [Governs.USE],
            "summary": "Would clash with the page for adding an act.",
        },
    )

    assert response.status_code == 200
    assert "is reserved" in response.text
    assert not Act.objects.filter(slug="new").exists()


def test_dataset_edit_saves_and_audits_the_change(secretariat_client):
    dataset = Dataset.objects.get(slug="labour-force-survey")
    census_act = Act.objects.get(slug="census-act-1920")
    srsa = Act.objects.get(slug="statistics-and-registration-service-act-2007")

    response = secretariat_client.post(
        reverse("legislation:dataset_edit", args=[dataset.slug]),
        dataset_form_data(
            dataset,
            access_mode=AccessMode.SAFE_SETTING,
            acts=[str(srsa.pk), str(census_act.pk)],
        ),
    )

    assert response.status_code == 302
    assert response.url == reverse("legislation:dataset_detail", args=[dataset.slug])
    dataset.refresh_from_db()
    assert dataset.access_mode == AccessMode.SAFE_SETTING
    assert set(dataset.acts.all()) == {srsa, census_act}
    event = AuditEvent.objects.get(action="legislation.dataset_updated")
    assert event.object_id == str(dataset.pk)
    assert event.payload == {
        "changed": {
            "access_mode": [AccessMode.REMOTE_SECURE, AccessMode.SAFE_SETTING],
            "acts": [[srsa.slug], sorted([srsa.slug, census_act.slug])],
        }
    }
    page = secretariat_client.get(response.url)
    assert "Labour Force Survey has been updated." in page.text


def test_dataset_create_adds_the_dataset_and_audits_it(secretariat_client):
    department = DepartmentFactory()
    act = ActFactory()

    response = secretariat_client.post(
        reverse("legislation:dataset_create"),
        {
            "name": "National Pupil Database",
            "slug": "national-pupil-database",
            "description": "Pupils' attainment and characteristics.",
            "department": str(department.pk),
            "acts": [str(act.pk)],
            "consent_required": "yes",
            "access_mode": AccessMode.SECURE_LAB_ONLY,
        },
    )

    dataset = Dataset.objects.get(slug="national-pupil-database")
    assert response.url == reverse("legislation:dataset_detail", args=[dataset.slug])
    assert dataset.consent_required
    assert list(dataset.acts.all()) == [act]
    event = AuditEvent.objects.get(action="legislation.dataset_created")
    assert event.payload["changed"]["acts"] == [None, [act.slug]]


def test_dataset_edit_without_a_gateway_shows_the_error_summary_and_keeps_input(
    secretariat_client,
):
    dataset = DatasetFactory()

    response = secretariat_client.post(
        reverse("legislation:dataset_edit", args=[dataset.slug]),
        dataset_form_data(dataset, acts=[], name="Renamed survey"),
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "Select at least one act under which the data is held" in response.text
    assert 'value="Renamed survey"' in response.text
    dataset.refresh_from_db()
    assert dataset.name != "Renamed survey"
    assert dataset.acts.exists()


def test_dataset_create_empty_submission_lists_every_missing_answer(secretariat_client):
    response = secretariat_client.post(reverse("legislation:dataset_create"), {})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    for message in [
        "Enter the dataset&#x27;s name",
        "Enter a web address name",
        "Select the department that owns the data",
        "Select at least one act under which the data is held",
        "Select the access mode the data requires",
    ]:
        assert message in response.text


def test_dataset_edit_with_an_act_id_too_large_for_any_row_shows_the_error(secretariat_client):
    dataset = DatasetFactory()

    response = secretariat_client.post(
        reverse("legislation:dataset_edit", args=[dataset.slug]),
        dataset_form_data(dataset, acts=["99999999999999999999"]),
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "99999999999999999999 is not one of the available choices" in response.text

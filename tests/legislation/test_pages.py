import pytest
from django.urls import reverse

from identity.roles import Role
from legislation.access_modes import AccessMode
from legislation.models import Act, Dataset
from tests.factories import UserFactory
from tests.legislation.factories import ActFactory, DatasetFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


def test_act_list_shows_every_act_to_anonymous_visitors(client):
    response = client.get(reverse("legislation:act_list"))

    assert response.status_code == 200
    for act in Act.objects.all():
        assert act.title in response.text
    assert "Onward disclosure" in response.text


def test_act_detail_lists_the_datasets_held_under_it(client):
    act = Act.objects.get(title="Statistics of Trade Act 1947")

    response = client.get(reverse("legislation:act_detail", args=[act.slug]))

    assert response.status_code == 200
    assert act.summary in response.text
    assert "Annual Business Survey" in response.text
    assert "Annual Survey of Hours and Earnings" in response.text
    assert "Labour Force Survey" not in response.text


def test_act_detail_unknown_slug_is_not_found(client):
    response = client.get(reverse("legislation:act_detail", args=["no-such-act"]))

    assert response.status_code == 404


def test_dataset_detail_shows_owner_gateways_consent_and_access_mode(client):
    response = client.get(reverse("legislation:dataset_detail", args=["hmrc-vat-returns"]))

    assert response.status_code == 200
    assert "HM Revenue and Customs" in response.text
    assert "Value Added Tax Act 1994" in response.text
    assert "HMRC must consent" in response.text
    assert AccessMode.SAFE_SETTING.label in response.text


def test_dataset_list_shows_datasets_to_anonymous_visitors(client):
    response = client.get(reverse("legislation:dataset_list"))

    assert response.status_code == 200
    for dataset in Dataset.objects.all():
        assert dataset.name in response.text


def test_dataset_list_filters_by_department(client):
    response = client.get(reverse("legislation:dataset_list"), {"department": "hmrc"})

    assert response.status_code == 200
    assert "HMRC VAT returns" in response.text
    assert "HMRC PAYE Real Time Information" in response.text
    assert "Labour Force Survey" not in response.text


def test_dataset_list_filters_by_access_mode(client):
    response = client.get(
        reverse("legislation:dataset_list"), {"access_mode": AccessMode.SECURE_LAB_ONLY}
    )

    assert response.status_code == 200
    names = [dataset.name for dataset in response.context["datasets"]]
    assert names
    assert all(
        Dataset.objects.get(name=name).access_mode == AccessMode.SECURE_LAB_ONLY for name in names
    )
    assert "Labour Force Survey" not in response.text


def test_dataset_list_filters_by_act_and_consent(client):
    response = client.get(
        reverse("legislation:dataset_list"),
        {"act": "statistics-of-trade-act-1947", "consent_required": "no"},
    )

    names = {dataset.name for dataset in response.context["datasets"]}
    assert names == {"Annual Business Survey", "Annual Survey of Hours and Earnings"}


def test_dataset_list_unknown_filter_value_shows_an_error_not_a_crash(client):
    response = client.get(reverse("legislation:dataset_list"), {"access_mode": "anywhere"})

    assert response.status_code == 200
    assert response.context["filter"].form.errors


def test_dataset_list_pages_25_at_a_time(client):
    department = DepartmentFactory()
    DatasetFactory.create_batch(30, department=department)

    first = client.get(reverse("legislation:dataset_list"), {"department": department.slug})
    second = client.get(
        reverse("legislation:dataset_list"), {"department": department.slug, "page": 2}
    )

    assert len(first.context["datasets"]) == 25
    assert len(second.context["datasets"]) == 5
    assert first.context["page_obj"].paginator.count == 30


def test_catalogue_pages_offer_no_edit_links_to_researchers(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    act_page = client.get(reverse("legislation:act_detail", args=["census-act-1920"]))
    dataset_page = client.get(reverse("legislation:dataset_detail", args=["labour-force-survey"]))

    assert reverse("legislation:act_edit", args=["census-act-1920"]) not in act_page.text
    assert (
        reverse("legislation:dataset_edit", args=["labour-force-survey"]) not in dataset_page.text
    )


def test_catalogue_pages_offer_edit_links_to_the_secretariat(client):
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))

    act_page = client.get(reverse("legislation:act_detail", args=["census-act-1920"]))
    dataset_page = client.get(reverse("legislation:dataset_detail", args=["labour-force-survey"]))

    assert reverse("legislation:act_edit", args=["census-act-1920"]) in act_page.text
    assert reverse("legislation:dataset_edit", args=["labour-force-survey"]) in dataset_page.text


@pytest.mark.parametrize("count", [3, 30])
def test_dataset_list_query_count_does_not_grow_with_datasets(
    client, django_assert_max_num_queries, count
):
    department = DepartmentFactory()
    for _ in range(count):
        DatasetFactory(department=department, acts=[ActFactory(), ActFactory()])

    with django_assert_max_num_queries(6):
        response = client.get(reverse("legislation:dataset_list"))

    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_act_list_query_count_does_not_grow_with_acts(client, django_assert_max_num_queries, count):
    ActFactory.create_batch(count)

    with django_assert_max_num_queries(2):
        response = client.get(reverse("legislation:act_list"))

    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_act_detail_query_count_does_not_grow_with_datasets(
    client, django_assert_max_num_queries, count
):
    act = ActFactory()
    DatasetFactory.create_batch(count, acts=[act])

    with django_assert_max_num_queries(3):
        response = client.get(reverse("legislation:act_detail", args=[act.slug]))

    assert response.status_code == 200
    assert response.text.count('href="/datasets/') >= count


@pytest.mark.parametrize("count", [3, 30])
def test_dataset_detail_query_count_does_not_grow_with_gateways(
    client, django_assert_max_num_queries, count
):
    dataset = DatasetFactory(acts=ActFactory.create_batch(count))

    with django_assert_max_num_queries(3):
        response = client.get(reverse("legislation:dataset_detail", args=[dataset.slug]))

    assert response.status_code == 200

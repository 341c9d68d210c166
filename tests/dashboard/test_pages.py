import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_start_page_names_the_service(client):
    response = client.get(reverse("dashboard:start"))

    assert response.status_code == 200
    assert "Approved Researcher Service" in response.text


def test_dashboard_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("dashboard:home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))

"""The API's description: the OpenAPI schema, and the documentation page made from it."""

import re

import pytest
import yaml
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_and_describes_the_entitlements_list(client):
    response = client.get(reverse("api:schema"))

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    operation = schema["paths"]["/api/v1/entitlements/"]["get"]
    assert operation["x-scope"] == "entitlements:read"
    assert {parameter["name"] for parameter in operation["parameters"]} >= {
        "person",
        "project",
        "dataset",
    }
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_the_documentation_page_is_reached_from_the_footer_and_lists_each_field(client):
    start = client.get(reverse("dashboard:start")).text
    [href] = re.findall(r'<a class="govuk-footer__link" href="([^"]+)">API</a>', start)

    page = client.get(href)

    assert "GET /api/v1/entitlements/" in page.text
    assert "entitlements:read" in page.text
    for field in ("person.email", "dataset.slug", "valid_until", "access_mode"):
        assert f"<code>{field}</code>" in page.text
    assert reverse("api:schema") in page.text

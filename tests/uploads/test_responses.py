import pytest
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import RequestFactory

from researchers.models import TrainingRecord
from tests.researchers.profile_factories import TrainingRecordFactory
from uploads.responses import serve_file

pytestmark = pytest.mark.django_db


def test_serve_file_streams_an_attachment_the_browser_may_not_sniff():
    record = TrainingRecordFactory()
    record.certificate.save("c.pdf", ContentFile(b"%PDF-1.4 test"), save=True)

    response = serve_file(
        RequestFactory().get("/"), record.certificate, download_name="My certificate.pdf"
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "My certificate.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    response.file_to_stream.close()


def test_serve_file_without_a_file_is_not_found():
    record = TrainingRecordFactory()

    with pytest.raises(Http404):
        serve_file(RequestFactory().get("/"), record.certificate, download_name="x.pdf")


def test_serve_file_missing_from_storage_is_not_found():
    record = TrainingRecordFactory()
    TrainingRecord.objects.filter(pk=record.pk).update(certificate="private/gone.pdf")
    record.refresh_from_db()

    with pytest.raises(Http404):
        serve_file(RequestFactory().get("/"), record.certificate, download_name="x.pdf")


def test_media_is_not_served_by_url(client):
    record = TrainingRecordFactory()
    record.certificate.save("c.pdf", ContentFile(b"%PDF-1.4 test"), save=True)

    response = client.get("/media/" + record.certificate.name)

    assert response.status_code == 404

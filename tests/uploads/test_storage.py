import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tests.researchers.profile_factories import PDF_BYTES, TrainingRecordFactory
from uploads.storage import UploadBatch
from uploads.validators import validate_upload

pytestmark = pytest.mark.django_db


def _upload():
    return validate_upload(SimpleUploadedFile("c.pdf", PDF_BYTES), allowed={"pdf"})


def test_upload_batch_removes_files_of_a_failed_change():
    record = TrainingRecordFactory()

    with pytest.raises(RuntimeError), UploadBatch() as batch, transaction.atomic():
        batch.store(record.certificate, _upload())
        name = record.certificate.name
        assert record.certificate.storage.exists(name)
        raise RuntimeError("the change failed")

    assert not record.certificate.storage.exists(name)


def test_upload_batch_keeps_files_of_a_change_that_succeeds():
    record = TrainingRecordFactory()

    with UploadBatch() as batch, transaction.atomic():
        batch.store(record.certificate, _upload())
        record.save()

    assert record.certificate.storage.exists(record.certificate.name)
    assert record.certificate.name.startswith("private/researchers/training/")
    assert record.certificate.name.endswith(".pdf")

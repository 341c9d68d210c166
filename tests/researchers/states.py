"""Drive declarations through the services to the state a test needs."""

from django.test import RequestFactory

from researchers.declaration.services import declaration_render_and_sign, declaration_sign
from tests.factories import DEFAULT_PASSWORD


def signing_request(user):
    request = RequestFactory().post(
        "/declaration/", HTTP_USER_AGENT="Test browser/1.0", REMOTE_ADDR="192.0.2.10"
    )
    request.user = user
    return request


def declaration_pending(user):
    return declaration_sign(
        user=user,
        typed_name=user.full_name,
        password=DEFAULT_PASSWORD,
        request=signing_request(user),
    )


def declaration_signed(user):
    return declaration_render_and_sign(declaration=declaration_pending(user))


def data_export_ready(person):
    """A copy of ``person``'s data already prepared, as the worker leaves it (with a stand-in
    zip)."""
    import datetime
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from researchers.data_export.models import DataExport

    data = b"PK\x05\x06" + b"\x00" * 18
    now = timezone.now()
    export = DataExport(
        person=person,
        state=DataExport.State.READY,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        finished_at=now,
        expires_at=now + datetime.timedelta(days=7),
    )
    export.file.save("your-data.zip", ContentFile(data), save=False)
    export.save()
    return export

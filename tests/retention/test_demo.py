"""On the demo data, ``retention_run --dry-run`` lists what would go, and a run once the schedule
is confirmed destroys exactly that, keeps the held record and writes a certificate."""

from io import StringIO

import pytest
from django.core.management import call_command

from demo.management.commands.seed_demo import DEMO_OLD_NOTICE
from notifications.models import Notification
from retention.models import DestructionCertificate, LegalHold, RecordKind
from tests.retention.helpers import entry, schedule_confirmed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _run(*arguments):
    out = StringIO()
    call_command("retention_run", *arguments, stdout=out)
    return out.getvalue()


def test_demo_data_dry_run_lists_the_old_notifications_and_a_run_destroys_exactly_them():
    call_command("seed_demo", stdout=StringIO())
    old = sorted(Notification.objects.filter(subject=DEMO_OLD_NOTICE).values_list("pk", flat=True))
    (held,) = LegalHold.objects.active().filter(kind=RecordKind.NOTIFICATION_READ)
    going = [pk for pk in old if str(pk) != held.identifier]
    assert len(going) == 2
    notifications = Notification.objects.count()

    printed = _run("--dry-run")

    assert "Would destroy" in printed
    for pk in going:
        assert f"    {pk}\n" in printed
    assert f"kept under a legal hold: {held.identifier}" in printed
    assert Notification.objects.count() == notifications
    assert not DestructionCertificate.objects.exists()

    schedule_confirmed()
    printed = _run()

    certificate = DestructionCertificate.objects.get()
    notices = entry(certificate, RecordKind.NOTIFICATION_READ)
    assert sorted(int(pk) for pk in notices["identifiers"]) == going
    assert notices["held"] == [held.identifier]
    assert f"Certificate {certificate.pk} written." in printed
    assert list(
        Notification.objects.filter(subject=DEMO_OLD_NOTICE).values_list("pk", flat=True)
    ) == [int(held.identifier)]
    assert Notification.objects.count() == notifications - 2

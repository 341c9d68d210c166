"""A signed declaration whose PDF task was lost (the broker was down) is queued again."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from identity.roles import Role
from researchers.declaration.models import Declaration
from researchers.declaration.services import declaration_fail
from researchers.tasks import declaration_render_and_sign_task, declarations_requeue_pending
from tests.factories import UserFactory
from tests.researchers.states import declaration_pending

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def signed_ago(minutes):
    """A declaration signed ``minutes`` ago whose PDF task never reached a worker."""
    user = UserFactory(roles=[Role.RESEARCHER], full_name="Amara Okafor")
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=minutes), tick=False):
        # Without a commit callback run, nothing is queued: as if the broker had been down.
        return declaration_pending(user)


def test_declarations_requeue_pending_makes_the_lost_pdf_once(eager_celery, settings):
    settings.DECLARATION_REQUEUE_AFTER_MINUTES = 30
    lost = signed_ago(45)
    just_signed = signed_ago(5)

    assert declarations_requeue_pending.apply().get() == 1
    lost.refresh_from_db()
    just_signed.refresh_from_db()
    assert lost.state == Declaration.State.SIGNED
    assert lost.sha256
    # One still within its task's normal wait is left to that task.
    assert just_signed.state == Declaration.State.PENDING

    # The next hour's sweep finds nothing to do, and a queued copy would change nothing.
    assert declarations_requeue_pending.apply().get() == 0
    signed_at = lost.pdf_signed_at
    declaration_render_and_sign_task.apply(args=[lost.pk]).get()
    lost.refresh_from_db()
    assert lost.pdf_signed_at == signed_at


def test_declarations_requeue_pending_leaves_failed_ones_alone(eager_celery):
    declaration_fail(declaration=signed_ago(120), reason="The renderer crashed.")

    assert declarations_requeue_pending.apply().get() == 0

import pytest
from django.db import transaction

from accreditation.models import AccreditationApplication
from tests.accreditation.factories import AccreditationApplicationFactory
from workflow.services import transition_fire
from workflow.signals import transition_done


@pytest.fixture
def sent():
    received = []

    def receiver(sender, **kwargs):
        received.append({"sender": sender, **kwargs})

    transition_done.connect(receiver)
    yield received
    transition_done.disconnect(receiver)


@pytest.mark.django_db(transaction=True)
def test_transition_done_sent_once_the_change_commits(sent):
    application = AccreditationApplicationFactory()

    with transaction.atomic():
        transition_fire(obj=application, transition="submit", by=application.applicant)
        assert sent == []

    assert len(sent) == 1
    assert sent[0]["sender"] is AccreditationApplication
    assert sent[0]["transition"] == "submit"
    assert (sent[0]["from_state"], sent[0]["to_state"]) == ("draft", "submitted")
    assert sent[0]["by"] == application.applicant
    assert sent[0]["instance"].pk == application.pk


@pytest.mark.django_db(transaction=True)
def test_transition_done_not_sent_for_a_rolled_back_change(sent):
    application = AccreditationApplicationFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        transition_fire(obj=application, transition="submit", by=application.applicant)
        raise RuntimeError("the surrounding service failed")

    assert sent == []
    assert AccreditationApplication.objects.get(pk=application.pk).state == "draft"

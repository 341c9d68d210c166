import pytest
from django.db import transaction

from accreditation.models import AccreditationApplication
from tests.accreditation.factories import AccreditationApplicationFactory
from workflow import hooks
from workflow.services import transition_fire


@pytest.fixture
def sent(monkeypatch):
    received = []
    monkeypatch.setattr(hooks, "_committed", [*hooks._committed, received.append])
    return received


@pytest.mark.django_db(transaction=True)
def test_transition_committed_functions_called_once_the_change_commits(sent):
    application = AccreditationApplicationFactory()

    with transaction.atomic():
        transition_fire(obj=application, transition="submit", by=application.applicant)
        assert sent == []

    assert len(sent) == 1
    event = sent[0]
    assert event.label == AccreditationApplication._meta.label
    assert event.transition == "submit"
    assert event.action == "accreditation_application.submit"
    assert (event.from_state, event.to_state) == ("draft", "submitted")
    assert event.by == application.applicant
    assert event.instance.pk == application.pk


@pytest.mark.django_db(transaction=True)
def test_transition_committed_functions_not_called_for_a_rolled_back_change(sent):
    application = AccreditationApplicationFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        transition_fire(obj=application, transition="submit", by=application.applicant)
        raise RuntimeError("the surrounding service failed")

    assert sent == []
    assert AccreditationApplication.objects.get(pk=application.pk).state == "draft"

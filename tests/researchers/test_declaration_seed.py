from io import StringIO

import pytest
from django.core.management import call_command

from documents.signing import verify_pdf
from researchers.criteria import user_declaration_signed_current
from researchers.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_leaves_the_first_researcher_a_signed_declaration_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    researcher = User.objects.get(email="researcher.one@example.ac.uk")
    declaration = researcher.declarations.get()
    assert user_declaration_signed_current(researcher)
    with declaration.pdf.open("rb") as handle:
        assert verify_pdf(handle.read()).valid

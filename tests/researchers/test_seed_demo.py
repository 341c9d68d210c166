from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from identity.roles import Role
from researchers.models import User

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    Role.RESEARCHER: 2,
    Role.PANEL_REVIEWER: 3,
    Role.OUTPUT_CHECKER: 2,
    Role.DATA_OWNER: 1,
    Role.SECRETARIAT: 1,
}


def _seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_twice_leaves_nine_users_with_their_roles(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-password-for-tests")

    _seed()
    output = _seed()

    users = list(User.objects.prefetch_related("groups"))
    assert len(users) == 9
    held = [user.held_roles() for user in users]
    assert all(len(roles) == 1 for roles in held)
    assert {role: sum(r == [role] for r in held) for role in Role} == EXPECTED_ROLES
    assert all(user.check_password("a-demo-password-for-tests") for user in users)
    assert all(user.full_name for user in users)
    assert all(user.emailaddress_set.get().verified for user in users)
    for user in users:
        assert user.email in output
    assert output.count("a-demo-password-for-tests") == 9
    assert "two-factor" in output


def test_seed_demo_rerun_with_new_password_prints_one_that_works(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "first-demo-password")
    _seed()
    monkeypatch.setenv("DEMO_PASSWORD", "second-demo-password")

    output = _seed()

    assert "second-demo-password" in output
    assert User.objects.get(email="secretariat@example.gov.uk").check_password(
        "second-demo-password"
    )


def test_seed_demo_refused_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        _seed()

    assert not User.objects.exists()

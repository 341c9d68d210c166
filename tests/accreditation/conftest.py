import pytest

from identity.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)

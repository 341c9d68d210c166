import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_factory_totp_gives_an_active_authenticator():
    user = UserFactory(totp=True)

    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).wrap()

    code = format_hotp_value(hotp_value(user.totp_secret, int(time.time()) // 30))
    assert totp.validate_code(code)


def test_user_factory_without_totp_has_no_authenticator():
    user = UserFactory()

    assert not Authenticator.objects.filter(user=user).exists()

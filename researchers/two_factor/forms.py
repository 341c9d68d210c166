"""allauth's passkey forms, refusing every malformed credential as a wrong one.

allauth parses the credential a browser posts and turns most malformed ones into "Incorrect
code", but one missing a field (a forged or truncated post) escapes as a server error. These
forms, named in ``MFA_FORMS``, refuse those in the same words.
"""

from allauth.mfa.adapter import get_adapter
from allauth.mfa.webauthn.forms import (
    AddWebAuthnForm,
    AuthenticateWebAuthnForm,
    LoginWebAuthnForm,
    ReauthenticateWebAuthnForm,
)
from django.core.exceptions import ValidationError

MALFORMED = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def _refused_as_incorrect(clean):
    try:
        return clean()
    except ValidationError:
        raise
    except MALFORMED as error:
        raise get_adapter().validation_error("incorrect_code") from error


class PasskeyAddForm(AddWebAuthnForm):
    def clean(self):
        return _refused_as_incorrect(super().clean)


class PasskeyAuthenticateForm(AuthenticateWebAuthnForm):
    def clean_credential(self):
        return _refused_as_incorrect(super().clean_credential)


class PasskeyReauthenticateForm(ReauthenticateWebAuthnForm):
    def clean_credential(self):
        return _refused_as_incorrect(super().clean_credential)


class PasskeyLoginForm(LoginWebAuthnForm):
    def clean_credential(self):
        return _refused_as_incorrect(super().clean_credential)

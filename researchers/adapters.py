import time
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from audit.services import client_ip

from . import services
from .middleware import needs_two_factor
from .selectors import SECOND_FACTORS, second_factors


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Keep the full name from the sign-up form and make every new user a researcher."""
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "")
        if commit:
            services.user_register(user=user, request=request)
        return user

    def send_mail(self, template_prefix, email, context):
        """Account emails speak as the service does, whoever sends them and from where."""
        return super().send_mail(template_prefix, email, {**_service_context(), **context})

    def render_mail(self, template_prefix, email, context, headers=None):
        """Each account email as plain text from its template, and as HTML in the layout of the
        service's other emails, so sign-up, password and two-factor emails look like the rest."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if isinstance(message, EmailMultiAlternatives) and message.alternatives:
            return message
        html = render_to_string(
            "notifications/email/account.html",
            {**_service_context(), "subject": message.subject, "text": message.body},
        )
        rich = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=message.from_email,
            to=message.to,
            headers=message.extra_headers,
        )
        rich.attach_alternative(html, "text/html")
        return rich

    def get_client_ip(self, request):
        """The one rule for the client's address, shared with the audit trail: behind the
        service's own proxies, the address they saw, never one the client wrote itself."""
        address = client_ip(request)
        if not address:
            raise PermissionDenied("The client's address could not be determined.")
        return address

    def _get_login_attempts_cache_key(self, request, **credentials):
        """Failed sign-ins count per account and client address: repeated failures slow down
        whoever makes them, and never lock the account's owner out from elsewhere."""
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"

    def get_reauthentication_methods(self, user):
        """allauth's ways to confirm it is you, in the service's words."""
        words = {
            "reauthenticate": "Use your password",
            "mfa_reauthenticate": "Use your authenticator app or a recovery code",
            "mfa_reauthenticate:webauthn": "Use a passkey",
        }
        methods = super().get_reauthentication_methods(user)
        return [
            {**method, "description": words.get(method["id"], method["description"])}
            for method in methods
        ]

    def is_reauthentication_required(self, *, app, **kwargs):
        """Staff are sent to set up two-factor straight after signing in; asking for the password
        they typed moments ago would only get in the way. Every later change to two-factor
        settings still asks for it again."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and app == "allauth.mfa" and _first_two_factor_set_up_after_sign_in():
            return False
        return required


def _service_context():
    return {
        "service_name": settings.SERVICE_NAME,
        "service_contact_email": settings.SERVICE_CONTACT_EMAIL,
        "site_url": settings.SITE_URL,
    }


def _first_two_factor_set_up_after_sign_in():
    request = context.request
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or is_mfa_enabled(user):
        return False
    records = get_authentication_records(request, user)
    if not records:
        return False
    return time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Staff roles must use two-factor authentication, so it cannot be turned off. Add "
            "another passkey or an authenticator app first, or if you have lost yours, ask the "
            "service's operators to reset it"
        ),
    }

    def can_delete_authenticator(self, authenticator):
        """Staff keep a second factor: without one no staff page opens. They may remove an
        authenticator app or a passkey only while another of either remains."""
        if authenticator.type in SECOND_FACTORS and needs_two_factor(authenticator.user):
            others = second_factors().filter(user_id=authenticator.user_id)
            if not others.exclude(pk=authenticator.pk).exists():
                return False
        return super().can_delete_authenticator(authenticator)

    def generate_authenticator_name(self, user, type):
        """The name a new passkey is offered: "Passkey 1", "Passkey 2", and so on."""
        return f"Passkey {second_factors().filter(user_id=user.pk, type=type).count() + 1}"

    def get_public_key_credential_rp_entity(self):
        """Passkeys belong to the service's public address (``SITE_URL``), never to whatever
        host a request names: a passkey made on one address does not work on another, and
        browsers refuse an IP address, hence ``localhost`` in development."""
        return {"id": urlsplit(settings.SITE_URL).hostname, "name": settings.SERVICE_NAME}

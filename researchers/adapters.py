from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter

from . import services
from .middleware import needs_two_factor


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Keep the full name from the sign-up form and make every new user a researcher."""
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "")
        if commit:
            services.user_register(user=user, request=request)
        return user


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Staff roles must use two-factor authentication, so it cannot be turned off. If you "
            "have lost your authenticator app, ask the service's operators to reset it"
        ),
    }

    def can_delete_authenticator(self, authenticator):
        """Staff keep their authenticator app: without it no staff page opens."""
        if authenticator.type == authenticator.Type.TOTP and needs_two_factor(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)

"""The one two-factor page of allauth's that needs a rule of the service's added."""

from allauth.mfa.adapter import get_adapter
from allauth.mfa.webauthn.views import RemoveWebAuthnView


class PasskeyRemove(RemoveWebAuthnView):
    """allauth's page for removing a passkey, which, like its page for turning off the
    authenticator app, leaves staff their last second factor (``MFAAdapter``)."""

    def form_valid(self, form):
        adapter = get_adapter()
        if not adapter.can_delete_authenticator(self.object):
            refusal = adapter.error_messages["cannot_delete_authenticator"]
            return self.render_to_response(self.get_context_data(refusals=[f"{refusal}."]))
        return super().form_valid(form)


passkey_remove = PasskeyRemove.as_view()

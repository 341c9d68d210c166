from posixpath import commonpath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from identity.roles import user_is_staff_role
from researchers.declaration.selectors import declaration_to_sign

from .selectors import user_has_second_factor

SETUP_NOTICE = (
    "Staff roles must use two-factor authentication. Set up an authenticator app or a passkey "
    "now to continue: you will be asked for it each time you sign in."
)


DECLARATION_NOTICE = (
    "Everyone given access to confidential material signs the confidentiality declaration. "
    "Sign version {number} below to go on with your work."
)
DECLARATION_PREPARING_NOTICE = (
    "Your signed declaration is being prepared. Your other pages open as soon as it is ready: "
    "this takes a moment."
)


def needs_two_factor(user):
    """Staff roles, and operators of the Django admin, must sign in with a second factor."""
    return user.is_authenticated and (user_is_staff_role(user) or user.is_staff)


def path_is_open(path):
    """Pages a staff member without two-factor may still open."""
    # Every allauth page (sign-in and out, email, password, two-factor) shares one prefix.
    account_pages = commonpath(
        [reverse("account_login"), reverse("account_email"), reverse("mfa_index")]
    )
    # The liveness probe is open, not the secretariat's status page below it.
    return path.startswith(
        (account_pages.rstrip("/") + "/", settings.STATIC_URL)
    ) or path == reverse("health:live")


def _admin_login_path():
    try:
        return reverse("admin:login")
    except NoReverseMatch:  # a URL configuration without the Django admin
        return None


class StaffTwoFactorMiddleware:
    """Sends a signed-in staff user with no second factor (neither an authenticator app nor a
    passkey) to the two-factor page to choose one, whatever page they ask for, and turns away
    password-only sign-ins through the Django admin's own form.

    Only the account pages (sign out, email, password, two-factor and passkey set-up, recovery
    codes), static files and health checks stay open, so nothing a staff role can see opens
    first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path == _admin_login_path():
            # The Django admin's own sign-in form skips allauth's throttling and second factor;
            # sign-ins go through allauth, which then brings the operator back to the admin.
            return redirect_to_login(reverse("admin:index"), login_url=reverse("account_login"))
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not path_is_open(request.path)
            and needs_two_factor(user)
            and not user_has_second_factor(user)
        ):
            self._notify(request)
            return redirect("mfa_index")
        return self.get_response(request)

    @staticmethod
    def _notify(request):
        _warn_once(request, SETUP_NOTICE)


def _warn_once(request, text):
    storage = messages.get_messages(request)
    already = any(message.message == text for message in storage)
    # Reading the messages marks them shown; keep them for the page that displays them.
    storage.used = False
    if not already:
        messages.warning(request, text)


DECLARATION_PAGES = frozenset(
    {
        "researchers:declaration",
        "researchers:declaration_status",
        "researchers:declaration_download",
        "researchers:declaration_verify",
    }
)


class StaffDeclarationMiddleware:
    """Sends a signed-in holder of a staff role who has not signed the current declaration to
    sign it, whatever page they ask for.

    Everyone given access signs the declaration (the policy's declaration line), staff included:
    nothing confidential opens to someone who has not signed the wording in force. A staff role
    is only given to someone who has signed (``services.roles_set``); this catches a new version
    published since, and anyone who held a role before staff had to sign. Runs after
    ``StaffTwoFactorMiddleware``, so two-factor set-up comes first.

    The account pages and the declaration's own pages (to sign it, follow its signed copy,
    download one, check one) stay open; publishing a new wording is a secretariat page like any
    other. Asked once the URL is resolved, so the view's name is the one Django found.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user_is_staff_role(user)
            and not path_is_open(request.path)
            and request.resolver_match.view_name not in DECLARATION_PAGES
        ):
            version = declaration_to_sign(user=user)
            if version is not None:
                _warn_once(request, self._notice(user, version))
                return redirect("researchers:declaration")
        return None

    @staticmethod
    def _notice(user, version):
        from researchers.declaration.services import declaration_already_signed

        if declaration_already_signed(user=user, version=version) is not None:
            return DECLARATION_PREPARING_NOTICE
        return DECLARATION_NOTICE.format(number=version.number)

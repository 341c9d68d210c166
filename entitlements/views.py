"""The secretariat's pages for the API's machine clients: the tokens issued, a new one, and
revoking one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from identity.permissions import role_required
from identity.roles import Role
from workflow.confirm import confirmation_needed, confirmation_page

from . import selectors, services
from .forms import ApiTokenForm


@never_cache
@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def token_list(request):
    """The tokens issued, and the form to issue one. A new token is shown on the page that
    answers the form, once: the service keeps only its hash."""
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.api_token_create(
                account_name=form.cleaned_data["account_name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
                by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return render(request, "entitlements/token_issued.html", {"token": token, "raw": raw})
    return render(
        request,
        "entitlements/token_list.html",
        {"form": form, "tokens": selectors.api_tokens_list()},
    )


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk):
    token = selectors.api_token_get(pk=pk)
    if token.revoked_at is not None:
        messages.info(request, f"{token} was already revoked.")
        return redirect("entitlements:token_list")
    if request.method == "GET" or confirmation_needed(request):
        return confirmation_page(
            request,
            caption=str(token.account),
            title=f"Revoke the token {token.prefix}… of {token.account}?",
            consequences=[
                f"{token.account} can no longer read the API with this token, from the moment "
                "you revoke it.",
                "Issue it a new token first if it should go on reading.",
            ],
            confirm_label="Revoke the token",
            cancel_url=reverse("entitlements:token_list"),
        )
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, f"The token {token.prefix}… of {token.account} has been revoked.")
    return redirect("entitlements:token_list")

"""The secretariat's pages for the API's machine clients: the tokens issued, a new one, and
revoking one; the webhook endpoints told of every entitlement, and what was sent to them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from govuk.forms import form_errors_add
from identity.permissions import role_required
from identity.roles import Role
from workflow.confirm import confirmation_needed, confirmation_page

from . import selectors, services
from .forms import ApiTokenForm, WebhookEndpointForm
from .models import WebhookDelivery
from .webhooks import selectors as webhook_selectors
from .webhooks import services as webhook_services


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
            form_errors_add(form, error)
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


@never_cache
@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def webhook_list(request):
    """The endpoints told of every entitlement granted, changed or ended, and the form to add
    one. A new endpoint's secret is shown on the page that answers the form, once."""
    form = WebhookEndpointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = webhook_services.webhook_endpoint_create(
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            return render(
                request, "entitlements/webhook_added.html", {"endpoint": endpoint, "secret": secret}
            )
    return render(
        request,
        "entitlements/webhook_list.html",
        {"form": form, "endpoints": webhook_selectors.webhook_endpoints_list()},
    )


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def webhook_deactivate(request, pk):
    endpoint = webhook_selectors.webhook_endpoint_get(pk=pk)
    if not endpoint.active:
        messages.info(request, f"{endpoint.description} was already deactivated.")
        return redirect("entitlements:webhook_list")
    if request.method == "GET" or confirmation_needed(request):
        return confirmation_page(
            request,
            caption=endpoint.description,
            title=f"Stop sending events to {endpoint.description}?",
            consequences=[
                f"{endpoint.url} is sent nothing more, from the moment you deactivate it, "
                "including events still waiting to be sent to it.",
                "Add it again to start again: it will be given a new secret.",
            ],
            confirm_label="Deactivate the endpoint",
            cancel_url=reverse("entitlements:webhook_list"),
        )
    webhook_services.webhook_endpoint_deactivate(endpoint=endpoint, by=request.user)
    messages.success(request, f"Events are no longer sent to {endpoint.description}.")
    return redirect("entitlements:webhook_list")


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET"])
def webhook_deliveries(request):
    """The latest events sent to the endpoints, or only those still being tried or failed."""
    state = request.GET.get("state", "")
    if state not in WebhookDelivery.State.values:
        state = ""
    return render(
        request,
        "entitlements/webhook_deliveries.html",
        {
            "deliveries": webhook_selectors.webhook_deliveries_recent(state=state),
            "state": state,
            "states": WebhookDelivery.State.choices,
            "limit": webhook_selectors.RECENT_DELIVERIES,
        },
    )

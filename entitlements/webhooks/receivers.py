"""allauth's signals for the second factors a person adds and removes: each may grant or end
their entitlements, published at once rather than at the next sweep."""

from .services import entitlements_publish


def second_factor_added(sender, request, user, authenticator, **kwargs):
    entitlements_publish(people=[user.pk], reason="Second factor added")


def second_factor_removed(sender, request, user, authenticator, **kwargs):
    entitlements_publish(people=[user.pk], reason="Second factor removed")

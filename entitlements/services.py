"""Issuing, revoking and checking the API tokens of service accounts."""

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import audit_record

from .models import ApiToken, Scope, ServiceAccount

if TYPE_CHECKING:
    from researchers.models import User

# Every token starts so, which lets secret scanners recognise one that leaked.
TOKEN_START = "ars_"  # noqa: S105 (a marker, not a secret)
PREFIX_LENGTH = 12
# A year, unless the secretariat or operator asks for less.
TOKEN_DAYS_DEFAULT = 365
TOKEN_DAYS_MOST = 730


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(
    *,
    account_name: str,
    scopes: list[str],
    days: int = TOKEN_DAYS_DEFAULT,
    by: "User | None" = None,
) -> tuple[ApiToken, str]:
    """A new token for the service account called ``account_name`` (made if new), with
    ``scopes``, lasting ``days``. Returns the token's row and the token itself, which is shown
    this once and never kept."""
    name = account_name.strip()
    if not name:
        raise ValidationError({"account_name": "Enter the name of the system the token is for."})
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown or not scopes:
        raise ValidationError(
            {"scopes": f"Choose what the token may read: {', '.join(Scope.values)}."}
        )
    if not 1 <= days <= TOKEN_DAYS_MOST:
        raise ValidationError(
            {
                "days": f"A token lasts from 1 to {TOKEN_DAYS_MOST} days: enter a number in "
                "that range."
            }
        )
    secret = secrets.token_urlsafe(32)
    raw = f"{TOKEN_START}{secret}"
    with transaction.atomic():
        account, _ = ServiceAccount.objects.get_or_create(name=name)
        token = ApiToken.objects.create(
            account=account,
            prefix=secret[:PREFIX_LENGTH],
            digest=_digest(raw),
            scopes=sorted(set(scopes)),
            created_by=by,
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit_record(
            actor=by,
            action="api_token.created",
            obj=token,
            payload={
                "account": account.name,
                "scopes": token.scopes,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, by: "User | None") -> ApiToken:
    """Stop ``token`` working, at once. Revoking a revoked token changes nothing."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.revoked_by = by
            token.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(
                actor=by,
                action="api_token.revoked",
                obj=token,
                payload={"account": token.account.name},
            )
    return token


# A refused token's refusals are audited at most once in this many seconds each: a client
# retrying a revoked token in a loop fills the trail with one row a minute, not thousands.
REFUSAL_AUDIT_SECONDS = 60


def api_token_use(raw: str, *, request: HttpRequest | None = None) -> ApiToken | None:
    """The usable token ``raw`` is, or None. A refusal of a token the service issued (revoked or
    expired) is audited, once a minute at most for each token; a use is audited once it is
    answered (``api_token_used``), with what it was answered."""
    if not raw.startswith(TOKEN_START):
        return None
    prefix = raw[len(TOKEN_START) : len(TOKEN_START) + PREFIX_LENGTH]
    token = ApiToken.objects.select_related("account").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)):
        return None
    if token.revoked_at is None and token.expires_at > timezone.now():
        return token
    if _refusal_to_audit(token):
        with transaction.atomic():
            audit_record(
                actor=None,
                action="api_token.refused",
                obj=token,
                payload={
                    "account": token.account.name,
                    "path": _path(request),
                    "reason": "revoked" if token.revoked_at else "expired",
                },
                request=request,
            )
    return None


def _refusal_to_audit(token: ApiToken) -> bool:
    """True once in ``REFUSAL_AUDIT_SECONDS`` for each token, by the service's clock (which the
    cache's own expiry is not, in Redis)."""
    key = f"api-token-refused:{token.prefix}"
    now = timezone.now().timestamp()
    last = cache.get(key)
    if last is not None and now - last < REFUSAL_AUDIT_SECONDS:
        return False
    cache.set(key, now, REFUSAL_AUDIT_SECONDS * 2)
    return True


def api_token_used(token: ApiToken, *, request: HttpRequest, status: int) -> None:
    """Audit that ``token`` asked for ``request`` and was answered ``status`` (a refusal for want
    of a scope included), and note when it was last used."""
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        audit_record(
            actor=None,
            action="api_token.used",
            obj=token,
            payload={"account": token.account.name, "path": _path(request), "status": status},
            request=request,
        )


def _path(request: HttpRequest | None) -> str:
    return request.get_full_path()[:500] if request is not None else ""

"""Changes to people and their roles. Each runs in one transaction and writes its audit events
in that same transaction.

Taking a role away also ends everything the role gave beyond its group (``hooks.py``):
a reviewer's assignments, a checker's open review, a data owner's departments. A staff role is
given only to someone who has signed the current confidentiality declaration; the one exception
is the operator's bootstrap of the first secretariat member (``secretariat_bootstrap``).

``by`` names who makes the change. ``by=None`` is the service itself (a management command such
as ``seed_demo``, or registration, where the new user is the actor): no role is checked then, so
views always pass ``request.user``.
"""

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from audit.services import audit_record
from identity.permissions import check_user_has_role
from identity.roles import STAFF_ROLES, Role, user_roles_forget
from researchers.declaration.models import DeclarationVersion
from researchers.declaration.selectors import declaration_signed_current

from .hooks import role_grants_end
from .models import User
from .permissions import check_user_can_manage_roles

ROLE_GRANTED = "researchers.role_granted"
ROLE_REVOKED = "researchers.role_revoked"
USER_REGISTERED = "researchers.user_registered"
USER_CREATED = "researchers.user_created"

OWN_SECRETARIAT_REFUSED = (
    "You cannot remove your own secretariat role. Ask another secretariat member to do it"
)
RESEARCHER_REMOVAL_REFUSED = (
    "The researcher role comes with registration and cannot be removed here. To stop someone "
    "working as a researcher, suspend or revoke their accreditation"
)
DECLARATION_NEEDED = (
    "{name} has not signed the current confidentiality declaration (version {number}). The "
    "{role} role can only be given to someone who has signed it: ask them to sign it from "
    "their account, then give the role"
)
NO_DECLARATION_PUBLISHED = (
    "No confidentiality declaration is published yet, and staff roles can only be given to "
    "people who have signed it. Publish the declaration first"
)
BOOTSTRAP_EXEMPTION = "exempt: the operator's bootstrap of the first secretariat member"
BOOTSTRAP_DONE = (
    "{name} already holds the secretariat role. The service has its first secretariat member: "
    "further roles are given by the secretariat on the people pages, where the declaration "
    "is required"
)


def _check_can_assign_roles(by: User | None) -> None:
    if by is not None:
        check_user_can_manage_roles(by)


def _lock(user: User) -> User:
    # Not a key lock: a person's own step in progress (a recommendation, a vote, each recording
    # its author) only needs their row to stay, so it goes on while their roles change, instead
    # of waiting on it while holding what ending the role must lock next.
    return User.objects.select_for_update(no_key=True).get(pk=user.pk)


def _held(user: User) -> set[Role]:
    names = set(user.groups.values_list("name", flat=True))
    return {Role(name) for name in names if name in Role.values}


def role_revoke_refusal(*, user: User, role: Role | str, by: User | None) -> str | None:
    """Why ``by`` may not take ``role`` away from ``user``, or None when they may."""
    if role == Role.RESEARCHER:
        return RESEARCHER_REMOVAL_REFUSED
    if role == Role.SECRETARIAT and by is not None and by.pk == user.pk:
        return OWN_SECRETARIAT_REFUSED
    return None


def role_grant_refusal(*, user: User, role: Role | str) -> str | None:
    """Why ``role`` may not be given to ``user``, or None when it may.

    Everyone given access signs the confidentiality declaration: a staff role, which opens
    confidential material, needs a signed declaration on the current version. A declaration
    whose signed copy is still being prepared, or could not be, is not signed yet.
    """
    if Role(role) not in STAFF_ROLES:
        return None
    if declaration_signed_current(user=user) is not None:
        return None
    version = DeclarationVersion.objects.current()
    if version is None:
        return NO_DECLARATION_PUBLISHED
    return DECLARATION_NEEDED.format(
        name=user.full_name or user.email, number=version.number, role=Role(role).label.lower()
    )


def _grant(
    *,
    user: User,
    role: Role,
    by: User | None,
    request: HttpRequest | None,
    declaration: str | None = None,
) -> None:
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    payload = {"role": role.value}
    if declaration is not None:
        payload["declaration"] = declaration
    audit_record(
        actor=by,
        action=ROLE_GRANTED,
        obj=user,
        payload=payload,
        request=request,
    )


def _grant_checked(*, user: User, role: Role, by: User | None, request: HttpRequest | None) -> None:
    """Grant ``role`` once ``role_grant_refusal`` has passed, recording the declaration it
    rested on."""
    signed = declaration_signed_current(user=user) if role in STAFF_ROLES else None
    _grant(
        user=user,
        role=role,
        by=by,
        request=request,
        declaration=signed.reference if signed is not None else None,
    )


def _revoke(*, user: User, role: Role, by: User | None, request: HttpRequest | None) -> None:
    user.groups.remove(*Group.objects.filter(name=role.value))
    audit_record(
        actor=by,
        action=ROLE_REVOKED,
        obj=user,
        payload={"role": role.value},
        request=request,
    )
    # In the same transaction, so nothing the role gave outlives it, even for a moment.
    role_grants_end(user=user, role=role, by=by, request=request)


def roles_set(
    *,
    user: User,
    roles: Iterable[Role | str],
    by: User | None,
    request: HttpRequest | None = None,
) -> tuple[list[Role], list[Role]]:
    """Make ``user`` hold exactly ``roles``: one audit event per role granted or removed.

    Refuses the whole change (ValidationError on ``roles``) when any removal is not allowed.
    Returns ``(granted, revoked)``, each a sorted list of roles.
    """
    wanted = {Role(role) for role in roles}
    with transaction.atomic():
        _check_can_assign_roles(by)
        locked = _lock(user)
        held = _held(locked)
        granted = sorted(wanted - held)
        revoked = sorted(held - wanted)
        refusals = [
            refusal for role in granted if (refusal := role_grant_refusal(user=locked, role=role))
        ] + [
            refusal
            for role in revoked
            if (refusal := role_revoke_refusal(user=locked, role=role, by=by))
        ]
        if refusals:
            raise ValidationError({"roles": refusals})
        for role in granted:
            _grant_checked(user=locked, role=role, by=by, request=request)
        for role in revoked:
            _revoke(user=locked, role=role, by=by, request=request)
    user_roles_forget(user, by)
    return granted, revoked


def role_grant(
    *, user: User, role: Role | str, by: User | None, request: HttpRequest | None = None
) -> None:
    """Give ``user`` one more role. Does nothing, and records nothing, if they hold it.

    Refuses (ValidationError on ``roles``) a staff role to someone without a signed current
    declaration, whoever asks, the service itself included.
    """
    role = Role(role)
    with transaction.atomic():
        _check_can_assign_roles(by)
        locked = _lock(user)
        if role not in _held(locked):
            refusal = role_grant_refusal(user=locked, role=role)
            if refusal:
                raise ValidationError({"roles": [refusal]})
            _grant_checked(user=locked, role=role, by=by, request=request)
    user_roles_forget(user, by)


def secretariat_bootstrap(*, user: User) -> None:
    """Make ``user`` the service's first secretariat member: the operator's step on a new site.

    The one staff role given without a signed declaration, since nobody could yet publish or
    check one; the audit trail records the grant as exempt for that reason, done by the system.
    The new member is sent to sign the current declaration before any staff page opens
    (``middleware.StaffDeclarationMiddleware``). Refused (ValidationError) once anyone active
    holds the secretariat role: from then on roles are given on the people pages.
    """
    with transaction.atomic():
        # Lock the role's group, so two bootstraps at once make one member, not two.
        group, _ = Group.objects.get_or_create(name=Role.SECRETARIAT.value)
        Group.objects.select_for_update().get(pk=group.pk)
        existing = User.objects.filter(groups=group, is_active=True).order_by("date_joined").first()
        if existing is not None:
            raise ValidationError(BOOTSTRAP_DONE.format(name=existing.full_name or existing.email))
        locked = _lock(user)
        _grant(
            user=locked,
            role=Role.SECRETARIAT,
            by=None,
            request=None,
            declaration=BOOTSTRAP_EXEMPTION,
        )
    user_roles_forget(user)


def role_revoke(
    *, user: User, role: Role | str, by: User | None, request: HttpRequest | None = None
) -> None:
    """Take one role away from ``user``. Does nothing, and records nothing, if they lack it."""
    role = Role(role)
    with transaction.atomic():
        _check_can_assign_roles(by)
        locked = _lock(user)
        if role in _held(locked):
            refusal = role_revoke_refusal(user=locked, role=role, by=by)
            if refusal:
                raise ValidationError({"roles": [refusal]})
            _revoke(user=locked, role=role, by=by, request=request)
    user_roles_forget(user, by)


def user_register(*, user: User, request: HttpRequest | None = None) -> User:
    """Save a newly signed-up user and make them a researcher: everyone who registers is one.

    The new user is the actor of their own registration.
    """
    with transaction.atomic():
        user.save()
        audit_record(
            actor=user,
            action=USER_REGISTERED,
            obj=user,
            personal={"email": user.email},
            request=request,
        )
        _grant(user=user, role=Role.RESEARCHER, by=user, request=request)
    user_roles_forget(user)
    return user


def user_create(
    *,
    email: str,
    full_name: str,
    password: str | None,
    by: User | None,
    email_verified: bool = False,
    request: HttpRequest | None = None,
) -> User:
    """Create an account directly (not through sign-up), for operators and demo data."""
    with transaction.atomic():
        if by is not None:
            check_user_has_role(by, Role.SECRETARIAT)
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
        EmailAddress.objects.create(
            user=user, email=user.email, primary=True, verified=email_verified
        )
        audit_record(
            actor=by,
            action=USER_CREATED,
            obj=user,
            payload={"email_verified": email_verified},
            personal={"email": user.email},
            request=request,
        )
    return user

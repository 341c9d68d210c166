"""Changes to people and their roles. Each runs in one transaction and writes its audit events
in that same transaction.

Taking a role away also ends everything the role gave beyond its group (``role_grants.py``):
a reviewer's assignments, a checker's open review, a data owner's departments.

``by`` names who makes the change. ``by=None`` is the service itself (a management command such
as ``seed_demo``, or registration, where the new user is the actor): no role is checked then, so
views always pass ``request.user``.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record

from .models import User
from .permissions import check_user_can_manage_roles, check_user_has_role
from .role_grants import role_grants_end
from .roles import Role, user_roles_forget

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


def _check_can_assign_roles(by):
    if by is not None:
        check_user_can_manage_roles(by)


def _lock(user):
    # Not a key lock: a person's own step in progress (a recommendation, a vote, each recording
    # its author) only needs their row to stay, so it goes on while their roles change, instead
    # of waiting on it while holding what ending the role must lock next.
    return User.objects.select_for_update(no_key=True).get(pk=user.pk)


def _held(user):
    names = set(user.groups.values_list("name", flat=True))
    return {Role(name) for name in names if name in Role.values}


def role_revoke_refusal(*, user, role, by):
    """Why ``by`` may not take ``role`` away from ``user``, or None when they may."""
    if role == Role.RESEARCHER:
        return RESEARCHER_REMOVAL_REFUSED
    if role == Role.SECRETARIAT and by is not None and by.pk == user.pk:
        return OWN_SECRETARIAT_REFUSED
    return None


def _grant(*, user, role, by, request):
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    audit_record(
        actor=by,
        action=ROLE_GRANTED,
        obj=user,
        payload={"role": role.value},
        request=request,
    )


def _revoke(*, user, role, by, request):
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


def roles_set(*, user, roles, by, request=None):
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
            refusal
            for role in revoked
            if (refusal := role_revoke_refusal(user=locked, role=role, by=by))
        ]
        if refusals:
            raise ValidationError({"roles": refusals})
        for role in granted:
            _grant(user=locked, role=role, by=by, request=request)
        for role in revoked:
            _revoke(user=locked, role=role, by=by, request=request)
    user_roles_forget(user, by)
    return granted, revoked


def role_grant(*, user, role, by, request=None):
    """Give ``user`` one more role. Does nothing, and records nothing, if they hold it."""
    role = Role(role)
    with transaction.atomic():
        _check_can_assign_roles(by)
        locked = _lock(user)
        if role not in _held(locked):
            _grant(user=locked, role=role, by=by, request=request)
    user_roles_forget(user, by)


def role_revoke(*, user, role, by, request=None):
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


def user_register(*, user, request=None):
    """Save a newly signed-up user and make them a researcher: everyone who registers is one.

    The new user is the actor of their own registration.
    """
    with transaction.atomic():
        user.save()
        audit_record(
            actor=user,
            action=USER_REGISTERED,
            obj=user,
            payload={"email": user.email},
            request=request,
        )
        _grant(user=user, role=Role.RESEARCHER, by=user, request=request)
    user_roles_forget(user)
    return user


def user_create(*, email, full_name, password, by, email_verified=False, request=None):
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
            payload={"email": user.email, "email_verified": email_verified},
            request=request,
        )
    return user

"""Signing the confidentiality declaration, preparing its signed PDF, publishing new wordings."""

import base64
import datetime
from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from allauth.core import ratelimit
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record, client_ip
from documents.rendering import render_pdf
from documents.signing import sha256_hex, sign_pdf
from researchers.declaration.models import Declaration, DeclarationVersion, reference_new
from researchers.models import User
from workflow.errors import TransitionRefused
from workflow.hooks import access_changed
from workflow.services import transition_fire

SIGNATURE_FIELD = "ConfidentialityDeclaration"
SIGNATURE_REASON = "Confidentiality declaration"
SIGNATURE_LOCATION = "United Kingdom"
USER_AGENT_MAX = 500


def _name_key(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


def declaration_already_signed(*, user: User, version: DeclarationVersion) -> Declaration | None:
    """The declaration ``user`` signed (or is having prepared) on ``version``, if any."""
    return (
        user.declarations.filter(version=version, state__in=Declaration.STANDING)
        .order_by("-signed_at")
        .first()
    )


def declaration_sign(
    *,
    user: User,
    typed_name: str,
    password: str | None,
    request: HttpRequest | None,
    render_later: bool = True,
) -> Declaration:
    """Record ``user``'s signature on the current declaration and queue its signed PDF.

    Refuses, recording nothing, when the typed name is not the account's name, the password is
    wrong, or the current version is already signed (a second click on the button included).
    ``render_later=False`` leaves the PDF to the caller, who then calls
    ``declaration_render_and_sign`` itself (demo data, with no worker running).
    """
    # Wrong passwords here count like failed sign-ins, so this page cannot be used to guess one.
    throttle_key = f"declaration-sign:{user.pk}"
    if request is not None and not ratelimit.consume(
        request, action="login_failed", key=throttle_key, dry_run=True
    ):
        raise ValidationError(
            {"password": "Too many wrong passwords. Wait a few minutes, then try again"}
        )
    errors: dict[str, str] = {}
    if not user.full_name.strip():
        errors["typed_name"] = "Add your full name to your account before signing."
    elif _name_key(typed_name) != _name_key(user.full_name):
        errors["typed_name"] = (
            f"Enter your full name exactly as it is on your account: {user.full_name}"
        )
    if not password or not user.check_password(password):
        if request is not None:
            ratelimit.consume(request, action="login_failed", key=throttle_key)
        errors["password"] = "The password is not correct"  # noqa: S105 - a message, not a secret
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # Locking the person serialises two clicks on the button: the second sees the first.
        User.objects.select_for_update().get(pk=user.pk)
        version = DeclarationVersion.objects.current()
        if version is None:
            raise ValidationError("There is no declaration to sign yet.")
        existing = declaration_already_signed(user=user, version=version)
        if existing is not None:
            raise ValidationError(
                f"You have already signed version {version.number} of the declaration "
                f"(reference {existing.reference}). You do not need to sign it again."
            )
        declaration = _declaration_create(
            user=user,
            version=version,
            typed_name=" ".join(typed_name.split()),
            ip_address=client_ip(request),
            user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[
                :USER_AGENT_MAX
            ],
        )
        audit_record(
            actor=user,
            action="declaration.sign",
            obj=declaration,
            to_state=declaration.state,
            payload={"reference": declaration.reference, "version": version.number},
            request=request,
        )
        if render_later:
            declaration_id = declaration.pk
            transaction.on_commit(lambda: _queue_render_and_sign(declaration_id))
    return declaration


def _queue_render_and_sign(declaration_id: int) -> None:
    from researchers.tasks import declaration_render_and_sign_task

    declaration_render_and_sign_task.delay(declaration_id)


def _declaration_create(
    *,
    user: User,
    version: DeclarationVersion,
    typed_name: str,
    ip_address: str | None,
    user_agent: str,
) -> Declaration:
    for _ in range(5):
        try:
            with transaction.atomic():
                return Declaration.objects.create(
                    user=user,
                    version=version,
                    reference=reference_new(),
                    typed_name=typed_name,
                    signed_at=timezone.now(),
                    ip_address=ip_address,
                    user_agent=user_agent,
                )
        except IntegrityError:
            # A reference already taken, once in billions: draw another.
            continue
    raise RuntimeError("Could not draw an unused declaration reference.")


def declaration_verify_url(reference: str | None = None) -> str:
    url = settings.SITE_URL + reverse("researchers:declaration_verify")
    return f"{url}?reference={reference}" if reference else url


def _qr_code_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def declaration_pdf_context(declaration: Declaration) -> dict[str, Any]:
    user = declaration.user
    profile = getattr(user, "profile", None)
    organisation = getattr(profile, "organisation", None) if profile else None
    verify_url = declaration_verify_url(declaration.reference)
    return {
        "service_name": settings.SERVICE_NAME,
        "name": declaration.typed_name,
        "email": user.email,
        "organisation": organisation.name if organisation else "",
        "reference": declaration.reference,
        "version_number": declaration.version.number,
        "version_published_at": declaration.version.published_at,
        "version_text": declaration.version.text,
        "signed_at": timezone.localtime(declaration.signed_at),
        "verify_url": verify_url,
        "qr_code_data_uri": _qr_code_data_uri(verify_url),
    }


def declaration_render_and_sign(*, declaration: Declaration) -> Declaration:
    """Render the declaration to PDF, sign it, and store it with its SHA-256: the service's own
    step (``prepare``), audited with no person as its actor.

    Safe to run again: a declaration no longer pending (signed, or failed) is returned as it is.
    """
    with transaction.atomic():
        declaration = (
            Declaration.objects.select_for_update(of=("self",))
            .select_related("user", "version")
            .get(pk=declaration.pk)
        )
        if declaration.state != Declaration.State.PENDING:
            return declaration
        pdf = render_pdf("documents/declaration_pdf.html", declaration_pdf_context(declaration))
        signed = sign_pdf(
            pdf,
            field_name=SIGNATURE_FIELD,
            reason=SIGNATURE_REASON,
            location=SIGNATURE_LOCATION,
        )
        declaration = transition_fire(
            obj=declaration,
            transition="prepare",
            by=None,
            pdf=signed,
            payload={"reference": declaration.reference, "sha256": sha256_hex(signed)},
        )
        # A signed declaration on the current version is one of the conditions of access.
        access_changed(people=[declaration.user_id], reason="Declaration signed")
        return declaration


def declaration_fail(*, declaration: Declaration, reason: str) -> Declaration:
    """Record that a declaration's PDF could not be prepared, so the researcher can sign again.
    A declaration no longer pending is returned as it is."""
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if declaration.state != Declaration.State.PENDING:
            return declaration
        return transition_fire(
            obj=declaration,
            transition="fail",
            by=None,
            reason=reason,
            payload={"reference": declaration.reference, "reason": reason[:500]},
        )


def declarations_destroy(
    *, declarations: list[int], at: datetime.datetime, schedule_version: int, certificate: int
) -> list[int]:
    """The retention run destroys each of ``declarations`` (their numbers) under the schedule's
    ``schedule_version``, naming its ``certificate``; returns the numbers destroyed. One no
    longer signed or failed (destroyed already) is left as it is.

    Each is a transition of its own, audited as every transition is: declarations fall due a
    few at a time, six years after their researcher's last accreditation ended.
    """
    destroyed: list[int] = []
    people: set[int] = set()
    with transaction.atomic():
        for declaration in Declaration.objects.filter(pk__in=declarations).order_by("pk"):
            try:
                declaration = transition_fire(
                    obj=declaration,
                    transition="destroy",
                    by=None,
                    at=at,
                    schedule_version=schedule_version,
                    certificate=certificate,
                    payload={
                        "reference": declaration.reference,
                        "schedule_version": schedule_version,
                        "certificate": certificate,
                    },
                )
            except TransitionRefused:
                continue
            destroyed.append(declaration.pk)
            people.add(declaration.user_id)
        if people:
            access_changed(people=sorted(people), reason="Declaration destroyed")
    return destroyed


def declaration_download_record(
    *, declaration: Declaration, by: User, request: HttpRequest | None
) -> None:
    """Audit that ``by`` downloaded the signed PDF of ``declaration``."""
    with transaction.atomic():
        audit_record(
            actor=by,
            action="declaration.download",
            obj=declaration,
            payload={"reference": declaration.reference},
            request=request,
        )


SIGN_BY_MOST_DAYS = 366


def _sign_by_check(sign_by: datetime.date) -> None:
    today = timezone.localdate()
    if sign_by < today:
        raise ValidationError({"sign_by": "The date to sign by must be today or in the future"})
    if sign_by > today + datetime.timedelta(days=SIGN_BY_MOST_DAYS):
        raise ValidationError({"sign_by": "The date to sign by must be within a year of today"})


def declaration_version_publish(
    *,
    text: str,
    by: User,
    sign_by: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> DeclarationVersion:
    """Publish a new wording; from now on everyone given access signs it, and old signatures
    keep theirs. A signature on an earlier version still gives access to data until the end of
    ``sign_by`` (not at all, when None); entitlements are published again in the same
    transaction, ending on that day for everyone who has not signed. Once it commits, everyone
    it concerns is told (``declaration_version_announce``, run by the worker: at a national
    scheme's size that is many thousands of people)."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter the text of the declaration"})
    if sign_by is not None:
        _sign_by_check(sign_by)
    with transaction.atomic():
        # Lock the current version so two publishers never take the same number.
        latest = DeclarationVersion.objects.select_for_update().order_by("-number").first()
        if latest is not None and latest.text.strip() == text:
            raise ValidationError(
                {"text": f"This is the same text as version {latest.number}: change it first"}
            )
        version = DeclarationVersion.objects.create(
            number=(latest.number + 1) if latest else 1,
            text=text,
            published_at=timezone.now(),
            published_by=by,
            sign_by=sign_by,
        )
        audit_record(
            actor=by,
            action="declaration_version.publish",
            obj=version,
            payload={
                "number": version.number,
                "sign_by": sign_by.isoformat() if sign_by else None,
            },
            request=request,
        )
        access_changed(
            everyone=True, reason=f"Version {version.number} of the declaration published"
        )
        version_id = version.pk
        transaction.on_commit(lambda: _queue_announce(version_id), robust=True)
    return version


def declaration_version_sign_by_change(
    *,
    version: DeclarationVersion,
    sign_by: datetime.date,
    by: User,
    request: HttpRequest | None = None,
) -> DeclarationVersion:
    """Move the day by which everyone must sign the current ``version``: later, to give people
    more time, or sooner. Entitlements are published again with their new last days. Only the
    current version's date can move: an earlier version's has passed or been overtaken."""
    _sign_by_check(sign_by)
    with transaction.atomic():
        version = DeclarationVersion.objects.select_for_update().get(pk=version.pk)
        if DeclarationVersion.objects.current() != version:
            raise ValidationError(
                f"Version {version.number} is no longer the current version: its date to sign "
                "by cannot change."
            )
        if version.sign_by == sign_by:
            raise ValidationError({"sign_by": "This is already the date to sign by"})
        before = version.sign_by
        version.sign_by = sign_by
        version.save(update_fields=["sign_by"])
        audit_record(
            actor=by,
            action="declaration_version.sign_by_change",
            obj=version,
            payload={
                "number": version.number,
                "from": before.isoformat() if before else None,
                "to": sign_by.isoformat(),
            },
            request=request,
        )
        access_changed(
            everyone=True,
            reason=f"The date to sign version {version.number} of the declaration by changed",
        )
    return version


def _queue_announce(version_id: int) -> None:
    from researchers.tasks import declaration_version_announce_task

    declaration_version_announce_task.delay(version_id)


ANNOUNCE_CHUNK = 1000


def declaration_version_concerns() -> QuerySet[User]:
    """Who a new version of the declaration reaches: every active holder of a staff role, and
    every active person who has signed an earlier version. Ordered by id, so it can be read in
    chunks."""
    from django.db.models import Exists, OuterRef, Q

    from identity.roles import STAFF_ROLES

    signed = Declaration.objects.filter(user=OuterRef("pk"), state=Declaration.State.SIGNED)
    staff = User.groups.through.objects.filter(
        user=OuterRef("pk"), group__name__in=[role.value for role in STAFF_ROLES]
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Q(Exists(staff)) | Q(Exists(signed)))
        .order_by("pk")
    )


def declaration_version_announce(*, version: DeclarationVersion) -> int:
    """Tell everyone ``version`` concerns that it is published and they must sign it, unless
    they already have. One notification and one email each, in chunks of ``ANNOUNCE_CHUNK``
    people, each chunk in its own transaction. Returns how many were told."""
    from django.db.models import Exists, OuterRef

    from notifications.models import Notification
    from notifications.services import notify
    from researchers import notices

    if DeclarationVersion.objects.current() != version:
        return 0  # a newer version has been published since: that one is announced instead
    subject = notices.declaration_version_subject(version)
    already_signed = Declaration.objects.filter(
        version=version, state__in=Declaration.STANDING
    ).values("user")
    # A re-run (a retried task) tells nobody twice.
    already_told = Notification.objects.filter(
        recipient=OuterRef("pk"), kind=notices.DECLARATION_VERSION_PUBLISHED, subject=subject
    )
    people = (
        declaration_version_concerns().exclude(pk__in=already_signed).exclude(Exists(already_told))
    )
    told = 0
    last_pk = 0
    while True:
        chunk = list(people.filter(pk__gt=last_pk)[:ANNOUNCE_CHUNK])
        if not chunk:
            return told
        with transaction.atomic():
            notify([notices.declaration_version_published(version, people=chunk)])
        told += len(chunk)
        last_pk = chunk[-1].pk

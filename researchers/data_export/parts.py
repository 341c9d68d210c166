"""What researchers, notifications and the audit trail hold about a person, as parts of their
copy of their data. Registered into ``researchers.hooks`` by ``ResearchersConfig.ready()``;
the apps above register their own parts the same way.

Each read is a fixed number of queries whatever the number of records, and names only the
person: another person appears, if at all, as their words on the person's own records (a
notification's subject), never by their email address or identifier.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import Q

from audit.hooks import action_words
from audit.models import AuditEvent
from audit.personal import person_key, sealed_for_person
from notifications.models import Notification
from researchers.declaration.models import Declaration
from researchers.hooks import PersonalData
from researchers.models import Qualification, ResearcherProfile, TrainingRecord

from .archive import file_path


def _person(person):
    profile = ResearcherProfile.objects.filter(user=person).select_related("organisation").first()
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "email": person.email,
        "date_joined": person.date_joined,
        "last_login": person.last_login,
        "roles": [role.label for role in person.held_roles()],
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=person).order_by("pk")
        ],
        # Which kinds of second factor are set up; never their secrets.
        "two_factor": sorted(
            {
                str(label)
                for label in Authenticator.objects.filter(user=person).values_list(
                    "type", flat=True
                )
            }
        ),
        "profile": None
        if profile is None
        else {
            "organisation": profile.organisation.name if profile.organisation_id else None,
            "orcid": profile.orcid,
            "job_title": profile.job_title,
            "telephone": profile.phone,
            "work_address": profile.work_address,
            "work_email": profile.contact_email,
            "updated_at": profile.updated_at,
        },
    }


def _qualifications(person):
    return [
        {
            "id": qualification.pk,
            "kind": qualification.get_kind_display(),
            "subject": qualification.subject,
            "institution": qualification.institution,
            "level": qualification.get_level_display(),
            "classification": qualification.get_classification_display(),
            "substantial_quantitative_content": qualification.quantitative,
            "years": qualification.years,
            "description": qualification.description,
            "evidence": _evidence_path(qualification, "evidence", "qualifications"),
            "created_at": qualification.created_at,
            "updated_at": qualification.updated_at,
        }
        for qualification in Qualification.objects.filter(user=person).order_by("pk")
    ]


def _qualification_files(person):
    return [
        (_evidence_path(qualification, "evidence", "qualifications"), qualification.evidence)
        for qualification in Qualification.objects.filter(user=person).order_by("pk")
        if qualification.evidence
    ]


def _training(person):
    return [
        {
            "id": record.pk,
            "course": record.course,
            "passed_on": record.passed_on,
            "certificate": _evidence_path(record, "certificate", "training"),
            "created_at": record.created_at,
            "updated_at": record.updated_at,
        }
        for record in TrainingRecord.objects.filter(user=person).order_by("pk")
    ]


def _training_files(person):
    return [
        (_evidence_path(record, "certificate", "training"), record.certificate)
        for record in TrainingRecord.objects.filter(user=person).order_by("pk")
        if record.certificate
    ]


def _evidence_path(record, field, folder):
    """Where a record's file sits in the zip (``files/training/12-certificate.pdf``), or None
    without a file."""
    stored = getattr(record, field)
    if not stored:
        return None
    return file_path(folder, record.pk, getattr(record, f"{field}_name"), stored.name)


def _declarations(person):
    return [
        {
            "reference": declaration.reference,
            "version": declaration.version.number,
            "typed_name": declaration.typed_name,
            "signed_at": declaration.signed_at,
            "signed_from_ip_address": declaration.ip_address,
            "signed_with_browser": declaration.user_agent,
            "state": declaration.get_state_display(),
            "signed_pdf": _declaration_path(declaration),
            "signed_pdf_sha256": declaration.sha256 or None,
            "pdf_signed_at": declaration.pdf_signed_at,
        }
        for declaration in Declaration.objects.filter(user=person)
        .select_related("version")
        .order_by("signed_at", "pk")
    ]


def _declaration_path(declaration):
    if not declaration.pdf:
        return None
    return file_path("declarations", declaration.pk, declaration.download_name)


def _declaration_files(person):
    return [
        (_declaration_path(declaration), declaration.pdf)
        for declaration in Declaration.objects.filter(user=person).order_by("signed_at", "pk")
        if declaration.pdf
    ]


def _notifications(person):
    notifications = Notification.objects.filter(recipient=person).order_by("created_at", "pk")
    for notification in notifications.iterator(chunk_size=1000):
        yield {
            "kind": notification.kind,
            "subject": notification.subject,
            "body": notification.body,
            "about": notification.about,
            "link": notification.link,
            "needs_action": notification.needs_action,
            "created_at": notification.created_at,
            "read_at": notification.read_at,
            "done_at": notification.done_at,
        }


def _audit_events(person):
    """The events the person took, those about the person themselves, and those holding
    values sealed under their key (a secretariat member's comments on their application, say),
    oldest first: read in chunks from one query, at most ``DATA_EXPORT_AUDIT_EVENTS_MAX``."""
    events = (
        AuditEvent.objects.filter(
            Q(actor=person)
            | Q(object_type="researchers.user", object_id=str(person.pk))
            | Q(sealed__has_key=str(person.pk))
        )
        .order_by("created_at", "id")
        .values(
            "id",
            "created_at",
            "actor_id",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "from_state",
            "to_state",
            "payload",
            "ip_address",
            "sealed",
        )[: settings.DATA_EXPORT_AUDIT_EVENTS_MAX]
    )
    key = person_key(person.pk)
    for event in events.iterator(chunk_size=1000):
        actor_id = event.pop("actor_id")
        # Only what was sealed about this person: other people's values stay out of their copy.
        yield {
            **event,
            "sealed": sealed_for_person(event["sealed"], person.pk, key),
            "by_you": actor_id == person.pk,
            "what_happened": action_words(event["action"]) or event["action"],
        }


PARTS = (
    PersonalData(
        name="person",
        describes="Your account and profile: name, email addresses, roles, which kinds of "
        "two-factor authentication you set up (never their secrets), organisation, job title, "
        "work contact details and ORCID iD.",
        rows=_person,
        order=0,
    ),
    PersonalData(
        name="qualifications",
        describes="Your degrees and research experience, with the evidence you uploaded "
        "(under files/qualifications/).",
        rows=_qualifications,
        files=_qualification_files,
        order=10,
    ),
    PersonalData(
        name="training",
        describes="Your training records, with the certificates you uploaded (under "
        "files/training/).",
        rows=_training,
        files=_training_files,
        order=11,
    ),
    PersonalData(
        name="declarations",
        describes="Every confidentiality declaration you signed: the version, the name you "
        "typed, when, and the internet address and browser you signed from, with the signed "
        "PDF (under files/declarations/) and its SHA-256 fingerprint.",
        rows=_declarations,
        files=_declaration_files,
        order=30,
    ),
    PersonalData(
        name="notifications",
        describes="Every notification the service sent you, read or not.",
        rows=_notifications,
        order=90,
    ),
    PersonalData(
        name="audit_events",
        describes="The record of what you did in the service, and of what was done to your "
        "account (roles given or taken away, for example), with when and from which internet "
        "address, oldest first. by_you says whether you took the step.",
        rows=_audit_events,
        order=99,
    ),
)

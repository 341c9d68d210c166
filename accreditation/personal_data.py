"""What accreditation holds about a person, for their copy of their data; registered into
``researchers.hooks`` from ``AccreditationConfig.ready()``. One query each."""

from researchers.hooks import PersonalData

from .models import Accreditation, AccreditationApplication


def _applications(person):
    applications = (
        AccreditationApplication.objects.filter(applicant=person)
        .select_related("supervisor")
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": application.pk,
            "accreditation_applied_for": application.get_kind_display(),
            "state": application.get_state_display(),
            "created_at": application.created_at,
            "submitted_at": application.submitted_at,
            "decided_at": application.decided_at,
            # The supervisor the applicant named, by name alone.
            "supervisor": application.supervisor.full_name if application.supervisor else None,
            "supervisor_confirmed_at": application.supervisor_confirmed_at,
            "supervisor_declined_at": application.supervisor_declined_at,
            "consent_to_appear_on_the_register": application.register_consent,
            "commitment_to_publish_results": application.publish_commitment,
            "changes_asked_for": application.return_comments,
            "decision_reasons": application.decision_reasons,
            "screening_checks": application.screening,
            "renews_accreditation": application.renewal_of_id,
        }
        for application in applications
    ]


def _accreditations(person):
    return [
        {
            "id": accreditation.pk,
            "application": accreditation.application_id,
            "level": accreditation.get_level_display(),
            "valid_from": accreditation.valid_from,
            "valid_until": accreditation.valid_until,
            "state": accreditation.get_state_display(),
            "reasons": accreditation.state_reasons,
            "created_at": accreditation.created_at,
        }
        for accreditation in Accreditation.objects.filter(researcher=person).order_by(
            "valid_from", "pk"
        )
    ]


PARTS = (
    PersonalData(
        name="accreditation_applications",
        describes="Your applications for accreditation: what you applied for, your consents, "
        "the supervisor you named, the secretariat's screening checks, what it asked you to "
        "change and its decision with reasons.",
        rows=_applications,
        order=20,
    ),
    PersonalData(
        name="accreditations",
        describes="Your accreditations: level, dates, state and the reasons for any "
        "suspension or revocation.",
        rows=_accreditations,
        order=21,
    ),
)

"""What the run does for each kind of record it destroys: find what has passed its period, and
destroy it.

Each ``KindRun`` states its clock in code (``clock_at``, a database expression or a stored
file's time) and the rows or files it finds; the run (``services.retention_run``) skips holds,
removes files and writes the certificate. A kind of the schedule with no ``KindRun`` here is
shown everywhere as "not yet destroyed by the run".
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Case, Exists, F, OuterRef, Subquery, Value, When
from django.db.models.deletion import ProtectedError, RestrictedError
from django.db.models.functions import Cast, Coalesce, Concat

from accreditation.models import Accreditation, AccreditationApplication
from audit.selectors import audit_moment
from identity.roles import STAFF_ROLES
from notifications.models import Notification, ReminderSent
from outputs.models import OutputFile, OutputRequest
from projects.models import (
    DatasetRequest,
    PanelDecision,
    Proposal,
    ProposalSnapshot,
    Recommendation,
    ReviewerAssignment,
    ScreeningReview,
    TeamMember,
)
from reports.models import ReportExport
from researchers.declaration.models import Declaration
from researchers.declaration.services import declarations_destroy
from researchers.models import Qualification, TrainingRecord

from .anonymise import STAND_IN_DOMAIN, is_stand_in, person_replaced, stand_ins_for
from .files import StoredFile, modified_at, names_in_use, stored_names
from .models import Action, Clock, DestructionCertificate, RecordKind

KEPT_REFERRED = "Other records still refer to it, so it was kept."


@dataclass
class Found:
    """One record or file past its period."""

    identifier: str
    files: list[StoredFile] = field(default_factory=list)
    # What the public knows the record by, where that is not its number (a declaration's).
    reference: str = ""


class KindRun:
    kind: RecordKind
    clock: Clock
    model: type[models.Model]
    actions = frozenset({Action.DESTROY})

    def expired(self, *, cutoff: datetime) -> list[Found]:
        raise NotImplementedError

    def anonymise(self, found: list[Found]) -> list[Found]:
        """Reduce the records of ``found`` to anonymous ones; returns those reduced. Only for a
        kind whose ``actions`` include it."""
        raise NotImplementedError

    def destroy(
        self, found: list[Found], *, certificate: DestructionCertificate
    ) -> tuple[list[Found], list[Found]]:
        """Delete the rows of ``found``; returns those destroyed and those kept because other
        records protect them. One bulk delete, one row at a time only when that is refused.
        ``certificate`` is the run's, saved already, for a kind that names it in what it keeps."""
        if not found:
            return [], []
        by_id = {item.identifier: item for item in found}
        try:
            with transaction.atomic():
                self._delete(list(by_id))
        except (ProtectedError, RestrictedError):
            destroyed, kept = [], []
            for identifier, item in by_id.items():
                try:
                    with transaction.atomic():
                        self._delete([identifier])
                except (ProtectedError, RestrictedError):
                    kept.append(item)
                else:
                    destroyed.append(item)
            return destroyed, kept
        return list(by_id.values()), []

    def _delete(self, identifiers: list[str]) -> None:
        self.model._default_manager.filter(pk__in=identifiers).delete()
        # The ledger's rows about a record name only it: they go with it.
        ReminderSent.objects.filter(
            content_type__app_label=self.model._meta.app_label,
            content_type__model=self.model._meta.model_name,
            object_id__in=[int(pk) for pk in identifiers],
        ).delete()


class WithdrawnDraftRun(KindRun):
    """Withdrawn without ever being submitted: the clock starts at the withdrawal, read from the
    audit trail's transition (the row's last change where an older row has none)."""

    clock = Clock.WITHDRAWN
    file_field = ""
    # Whether the kind is of records withdrawn after they were submitted, or before.
    submitted = False

    def rows(self, *, cutoff: datetime) -> models.QuerySet[Any]:
        """The withdrawn records past ``cutoff``, each with its ``clock_at``; the reminder
        before destruction reads the same rows with a later cutoff."""
        model = self.model
        withdrawn = model.State.WITHDRAWN  # type: ignore[attr-defined]
        return (
            model._default_manager.filter(state=withdrawn, submitted_at__isnull=not self.submitted)
            .annotate(
                clock_at=Coalesce(audit_moment(model._meta.label_lower, withdrawn), F("updated_at"))
            )
            .filter(clock_at__lt=cutoff)
            .order_by("pk")
        )

    def expired(self, *, cutoff):
        rows = self.rows(cutoff=cutoff)
        fields = ["pk", self.file_field] if self.file_field else ["pk"]
        found = []
        for values in rows.values_list(*fields):
            files = []
            if self.file_field and values[1]:
                storage = self.model._meta.get_field(self.file_field).storage  # type: ignore[union-attr]
                files.append(StoredFile(storage, values[1]))
            found.append(Found(str(values[0]), files))
        return found


class ApplicationWithdrawnDraftRun(WithdrawnDraftRun):
    kind = RecordKind.APPLICATION_WITHDRAWN_DRAFT
    model = AccreditationApplication


class ProposalWithdrawnDraftRun(WithdrawnDraftRun):
    kind = RecordKind.PROPOSAL_WITHDRAWN_DRAFT
    model = Proposal
    file_field = "dpia_file"


class ApplicationWithdrawnSubmittedRun(WithdrawnDraftRun):
    """Withdrawn after it was submitted: the secretariat may have screened it. Nothing but the
    ledger refers to a withdrawn application (only an approved one leads to an accreditation),
    so the row goes whole."""

    kind = RecordKind.APPLICATION_WITHDRAWN_SUBMITTED
    model = AccreditationApplication
    submitted = True


class ApplicationRejectedRun(KindRun):
    """Rejected applications, from the decision (the audit trail's transition; the decision's
    own time, then the row's last change, where an older row has none).

    Reduced to an anonymous record: the applicant becomes their organisation's stand-in
    (``anonymise``), so the reports still count the application by state, month and
    organisation, and its processing time; the supervisor, the accreditation it would have
    renewed, the secretariat's comments and reasons go. The kind applied for, the state, the
    dates, the screening checks and the two consents stay. Or destroyed whole, when the
    schedule says so: nothing refers to a rejected application."""

    kind = RecordKind.APPLICATION_REJECTED
    clock = Clock.DECIDED
    model = AccreditationApplication
    actions = frozenset({Action.DESTROY, Action.ANONYMISE})

    def expired(self, *, cutoff):
        rejected = AccreditationApplication.State.REJECTED
        decided_at = Coalesce(
            audit_moment(AccreditationApplication._meta.label_lower, rejected),
            F("decided_at"),
            F("updated_at"),
        )
        rows = (
            AccreditationApplication.objects.filter(state=rejected)
            .exclude(**is_stand_in("applicant__email"))
            .annotate(clock_at=decided_at)
            .filter(clock_at__lt=cutoff)
            .order_by("pk")
        )
        return [Found(str(pk)) for pk in rows.values_list("pk", flat=True)]

    def anonymise(self, found):
        rows = dict(
            AccreditationApplication.objects.filter(
                pk__in=[item.identifier for item in found]
            ).values_list("pk", "applicant")
        )
        applications_reduce(rows)
        return [item for item in found if int(item.identifier) in rows]


def applications_reduce(applicants: dict[int, int]) -> None:
    """Reduce the applications ``applicants`` names (application -> applicant) to anonymous
    records: the applicant becomes their organisation's stand-in, and the supervisor, the
    renewal's link and the free text go."""
    if applicants:
        AccreditationApplication.objects.filter(pk__in=applicants).update(
            **person_replaced("applicant", applicants),
            supervisor=None,
            supervisor_confirmed_at=None,
            supervisor_declined_at=None,
            renewal_of=None,
            return_comments="",
            decision_reasons="",
        )


def proposals_reviews_reduce(proposals) -> None:
    """What the register never shows of ``proposals`` (ids) beyond the proposals' own fields:
    their saved versions go, and the free text of their dataset requests, screening, panel
    reviews, recommendations and decision is emptied. Rejected proposals and closed projects
    are reduced alike."""
    ProposalSnapshot.objects.filter(proposal__in=proposals).delete()
    DatasetRequest.objects.filter(proposal__in=proposals).update(
        variables="", open_data_reason="", consent_reasons=""
    )
    ScreeningReview.objects.filter(proposal__in=proposals).update(section_comments={})
    ReviewerAssignment.objects.filter(proposal__in=proposals).update(
        conflict_details="", removal_reason=""
    )
    Recommendation.objects.filter(assignment__proposal__in=proposals).update(
        comments="", suggested_conditions=""
    )
    PanelDecision.objects.filter(proposal__in=proposals).update(rationale="", conditions="")


class ProposalRejectedRun(KindRun):
    """Rejected proposals, from the decision (the audit trail's transition; the decision's own
    time, then the row's last change, where an older row has none).

    Reduced to an anonymous record: the co-ordinator becomes their organisation's stand-in, so
    the reports still count the proposal by state, month and organisation, with its processing
    times and the panel's compliance; the title becomes "Anonymised project proposal"; every
    free-text answer, the ethics answers, the DPIA file, the team, the saved versions, and the
    free text of the screening, the data owners' consents, the reviewers' conflicts and
    recommendations and the decision go. What stays: the state, the dates, the datasets
    requested and their consent outcomes, the public-good purposes, the access mode, the
    reviewers' scores and recommendations, and which member of staff took each step, acting in
    their role. Or destroyed whole, when the schedule says so; its DPIA file goes either way,
    unless another record refers to it."""

    kind = RecordKind.PROPOSAL_REJECTED
    clock = Clock.DECIDED
    model = Proposal
    actions = frozenset({Action.DESTROY, Action.ANONYMISE})
    TITLE = "Anonymised project proposal"

    def expired(self, *, cutoff):
        rejected = Proposal.State.REJECTED
        decided_at = Coalesce(
            audit_moment(Proposal._meta.label_lower, rejected), F("decided_at"), F("updated_at")
        )
        rows = (
            Proposal.objects.filter(state=rejected)
            .exclude(**is_stand_in("coordinator__email"))
            .annotate(clock_at=decided_at)
            .filter(clock_at__lt=cutoff)
            .order_by("pk")
        )
        storage = Proposal._meta.get_field("dpia_file").storage  # type: ignore[attr-defined]
        return [
            Found(str(pk), [StoredFile(storage, name)] if name else [])
            for pk, name in rows.values_list("pk", "dpia_file")
        ]

    def anonymise(self, found):
        rows = dict(
            Proposal.objects.filter(pk__in=[item.identifier for item in found]).values_list(
                "pk", "coordinator"
            )
        )
        if not rows:
            return []
        Proposal.objects.filter(pk__in=rows).update(
            **person_replaced("coordinator", rows),
            title=self.TITLE,
            lay_summary="",
            purpose_explanation="",
            aims="",
            methods="",
            software="",
            ethics={},
            dpia_file="",
            outputs_plan="",
            publication_plan="",
            start_scheduled_by=None,
        )
        TeamMember.objects.filter(proposal__in=rows).delete()
        proposals_reviews_reduce(rows)
        return [item for item in found if int(item.identifier) in rows]


class ProjectClosedRun(KindRun):
    """Closed projects, from the closing (the audit trail's transition; the stored time it
    closed, then the row's last change, where an older row has none), with their amendments.

    Reduced to what the public register of projects and the reports need, so the register's
    entry reads the same before and after and every report figure stays: the title, the lay
    summary, the datasets requested and their consent outcomes, the public-good purposes, the
    access mode, the dates, the state, the decisions' outcomes, routes and dates, the reviewers'
    scores and recommendations, which member of staff took each step, and the accepted team,
    each member (and the co-ordinator) now their own organisation's stand-in, so the register
    still names the same organisations. What goes: the people, every free-text answer of the
    proposal the register does not show (an amendment's lay summary too), the ethics answers,
    the stored files (the DPIA), the saved versions, the invitations never accepted or
    declined, and the free text of the screening, the data owners' consents, the reviewers'
    conflicts and recommendations and the decisions. Released output files are their own kind.
    Never destroyed whole: the register's entry stays."""

    kind = RecordKind.PROJECT_CLOSED
    clock = Clock.PROJECT_CLOSED
    model = Proposal
    actions = frozenset({Action.ANONYMISE})

    @staticmethod
    def file_fields() -> list[str]:
        return [
            field.name
            for field in Proposal._meta.get_fields()
            if isinstance(field, models.FileField)
        ]

    def expired(self, *, cutoff):
        closed = Proposal.State.CLOSED
        closed_at = Coalesce(
            audit_moment(Proposal._meta.label_lower, closed), F("closed_at"), F("updated_at")
        )
        rows = (
            Proposal.objects.filter(state=closed, amends__isnull=True)
            .exclude(**is_stand_in("coordinator__email"))
            .annotate(clock_at=closed_at)
            .filter(clock_at__lt=cutoff)
            .order_by("pk")
        )
        fields = self.file_fields()
        # The amendments' files go with their project's.
        amendments: dict[int, list[tuple[Any, ...]]] = {}
        for values in Proposal.objects.filter(amends__in=rows.values("pk")).values_list(
            "amends", *fields
        ):
            amendments.setdefault(values[0], []).append(values[1:])
        found = []
        for values in rows.values_list("pk", *fields):
            files = []
            for names in [values[1:], *amendments.get(values[0], [])]:
                for name, field_name in zip(names, fields, strict=True):
                    if name:
                        storage = Proposal._meta.get_field(field_name).storage  # type: ignore[attr-defined]
                        files.append(StoredFile(storage, name))
            found.append(Found(str(values[0]), files))
        return found

    def anonymise(self, found):
        projects = dict(
            Proposal.objects.filter(
                pk__in=[item.identifier for item in found], state=Proposal.State.CLOSED
            ).values_list("pk", "coordinator")
        )
        if not projects:
            return []
        rows = {
            **projects,
            **dict(Proposal.objects.filter(amends__in=projects).values_list("pk", "coordinator")),
        }
        team = TeamMember.objects.filter(proposal__in=rows)
        # Invitations never accepted, or declined, name people the register does not show.
        team.filter(
            models.Q(accepted_at__isnull=True)
            | models.Q(declined_at__isnull=False)
            | models.Q(user__isnull=True)
        ).delete()
        members = {
            pk: (user, inviter)
            for pk, user, inviter in team.values_list("pk", "user", "invited_by")
        }
        stand_ins = stand_ins_for(
            {*rows.values(), *(person for pair in members.values() for person in pair)}
        )
        Proposal.objects.filter(pk__in=rows).update(
            coordinator_id=_replaced(rows, stand_ins),
            purpose_explanation="",
            aims="",
            methods="",
            software="",
            ethics={},
            outputs_plan="",
            publication_plan="",
            start_scheduled_by=None,
            **dict.fromkeys(self.file_fields(), ""),
        )
        Proposal.objects.filter(pk__in=rows).exclude(pk__in=projects).update(lay_summary="")
        if members:
            team.update(
                user_id=_replaced({pk: user for pk, (user, _) in members.items()}, stand_ins),
                invited_by_id=_replaced(
                    {pk: inviter for pk, (_, inviter) in members.items()}, stand_ins
                ),
                # One a member: an invitation is one to an address on each project.
                email=Concat(
                    Value("member-"),
                    Cast("pk", models.CharField()),
                    Value(f"@{STAND_IN_DOMAIN}"),
                ),
            )
        proposals_reviews_reduce(rows)
        return [item for item in found if int(item.identifier) in projects]


def _replaced(rows: dict[int, int], stand_ins: dict[int, int]) -> Case:
    """For ``update()``: each row (``{row id: person id}``) set to its person's stand-in."""
    return Case(
        *(When(pk=pk, then=Value(stand_ins[person])) for pk, person in rows.items()),
        output_field=models.IntegerField(),
    )


class AccreditationEndedRun(KindRun):
    """Every accreditation of a researcher whose last one ended (revoked or expired) more than
    the period ago, with the applications that led to them: "Accreditations that have ended,
    and the applications that led to them".

    Only once nothing else of theirs still waits on those clocks: never while the researcher
    holds an accreditation not yet ended or has an application open, never while a declaration
    or an evidence file whose clock is the same accreditations is still kept (those kinds read
    their clocks from the ended accreditations, so reducing these first would stop them for
    good; the run reduces after it destroys, so both go the same night when their periods
    agree), and never a member of staff's. Reduced to anonymous records: the researcher and the
    applicant become their organisation's stand-in, so the reports still count each
    accreditation by the month it started, its state and organisation; the reasons for a
    suspension or revocation, and each application's people and free text, go. Level, dates
    and states stay."""

    kind = RecordKind.ACCREDITATION_ENDED
    clock = Clock.ACCREDITATION_ENDED
    model = Accreditation
    actions = frozenset({Action.ANONYMISE})

    def expired(self, *, cutoff):
        filters = researchers_ended_before(cutoff, person="researcher")
        researcher, last_ended = OuterRef("researcher"), OuterRef("clock_at")
        waiting = (
            Exists(
                Declaration.objects.filter(
                    user=researcher,
                    state__in=Declaration.DESTROYABLE,
                    signed_at__lte=last_ended,
                )
            )
            | Exists(
                TrainingRecord.objects.filter(user=researcher, created_at__lte=last_ended).exclude(
                    certificate=""
                )
            )
            | Exists(
                Qualification.objects.filter(user=researcher, created_at__lte=last_ended).exclude(
                    evidence=""
                )
            )
        )
        rows = (
            Accreditation.objects.exclude(**is_stand_in("researcher__email"))
            .exclude(researcher__groups__name__in=STAFF_ROLES)
            .annotate(clock_at=filters["clock_at"])
            .filter(clock_at__lt=cutoff)
            .exclude(filters["exclude"])
            .exclude(waiting)
            .order_by("pk")
        )
        return [Found(str(pk)) for pk in rows.values_list("pk", flat=True)]

    def anonymise(self, found):
        rows = dict(
            Accreditation.objects.filter(pk__in=[item.identifier for item in found]).values_list(
                "pk", "researcher"
            )
        )
        if not rows:
            return []
        applications = dict(
            AccreditationApplication.objects.filter(accreditation__in=rows).values_list(
                "pk", "applicant"
            )
        )
        Accreditation.objects.filter(pk__in=rows).update(
            **person_replaced("researcher", rows), state_reasons=""
        )
        applications_reduce(applications)
        return [item for item in found if int(item.identifier) in rows]


class NotificationReadRun(KindRun):
    kind = RecordKind.NOTIFICATION_READ
    clock = Clock.READ
    model = Notification

    def expired(self, *, cutoff):
        rows = Notification.objects.filter(read_at__lt=cutoff).order_by("pk")
        return [Found(str(pk)) for pk in rows.values_list("pk", flat=True)]


class ReportExportRun(KindRun):
    kind = RecordKind.REPORT_EXPORT
    clock = Clock.PREPARED
    model = ReportExport

    def expired(self, *, cutoff):
        rows = ReportExport.objects.filter(
            state__in=ReportExport.FINISHED, finished_at__lt=cutoff
        ).order_by("created_at", "pk")
        storage = ReportExport._meta.get_field("file").storage  # type: ignore[attr-defined]
        return [
            Found(str(pk), [StoredFile(storage, name)] if name else [])
            for pk, name in rows.values_list("pk", "file")
        ]

    def _delete(self, identifiers):
        ReportExport.objects.filter(pk__in=identifiers).delete()


class DeclarationRun(KindRun):
    """Signed declarations (and those whose PDF could not be prepared) of a researcher whose
    last accreditation ended before the cutoff, signed while it ran or before: "kept as long as
    the accreditation it supported". The clock is when the last one ended, expired or revoked
    (the audit trail's transition; the row's last change where an older row has none).

    Never one of a researcher who holds an accreditation not yet ended (active or suspended), so
    never the current declaration of anyone accredited; never one signed after the last
    accreditation ended, which supported none that has ended (signed for a new application);
    and never one of a member of staff, whose declaration is what lets them work. The row stays,
    reduced to its reference, version, dates and the PDF's SHA-256, so the public verification
    page can still say it was issued and when it was destroyed; the signed PDF goes."""

    kind = RecordKind.DECLARATION
    clock = Clock.ACCREDITATION_ENDED
    model = Declaration

    def expired(self, *, cutoff):
        ended = Accreditation.ENDED
        # Revoked and expired are both final: an accreditation goes into one of them once.
        ended_at = Coalesce(audit_moment(Accreditation._meta.label_lower, ended), F("updated_at"))
        last_ended = Subquery(
            Accreditation.objects.filter(researcher=OuterRef("user"), state__in=ended)
            .annotate(ended_at=ended_at)
            .order_by("-ended_at")
            .values("ended_at")[:1]
        )
        running = Accreditation.objects.filter(researcher=OuterRef("user")).exclude(state__in=ended)
        rows = (
            Declaration.objects.filter(state__in=Declaration.DESTROYABLE)
            .exclude(user__groups__name__in=STAFF_ROLES)
            .annotate(clock_at=last_ended)
            .filter(~Exists(running), clock_at__lt=cutoff, signed_at__lte=F("clock_at"))
            .order_by("pk")
        )
        storage = Declaration._meta.get_field("pdf").storage  # type: ignore[attr-defined]
        return [
            Found(str(pk), [StoredFile(storage, name)] if name else [], reference)
            for pk, name, reference in rows.values_list("pk", "pdf", "reference")
        ]

    def destroy(self, found, *, certificate):
        by_id = {item.identifier: item for item in found}
        destroyed = declarations_destroy(
            declarations=[int(identifier) for identifier in by_id],
            at=certificate.ran_at,
            schedule_version=certificate.schedule_id,
            certificate=certificate.pk,
        )
        return [by_id[str(pk)] for pk in destroyed], []


class OutputFilesRun(KindRun):
    """Output files whose stored copy has passed its period. The rows stay, so the register,
    the reports and the requests still count every file, its name, type, size and SHA-256;
    only the stored file goes (``file`` is emptied, so nothing offers it for download and no
    row refers to the bytes any more). The run removes the stored file only when no other row
    still names it: content-addressed files are shared by every row holding the same bytes."""

    model = OutputFile

    def rows(self, *, cutoff: datetime) -> models.QuerySet[OutputFile]:
        raise NotImplementedError

    def expired(self, *, cutoff):
        storage = OutputFile._meta.get_field("file").storage  # type: ignore[attr-defined]
        return [
            Found(str(pk), [StoredFile(storage, name)])
            for pk, name in self.rows(cutoff=cutoff).exclude(file="").values_list("pk", "file")
        ]

    def destroy(self, found, *, certificate):
        # Only the stored file goes: the row stays, so nothing can protect it.
        OutputFile.objects.filter(pk__in=[item.identifier for item in found]).update(file="")
        return list(found), []


class OutputFileNotReleasedRun(OutputFilesRun):
    """Every file of an output request rejected, withdrawn or closed unreleased when its project
    ended, from when it was (the audit trail's transition; the request's last change where an
    older row has none)."""

    kind = RecordKind.OUTPUT_FILE_NOT_RELEASED
    clock = Clock.REQUEST_FINISHED

    def rows(self, *, cutoff):
        finished = OutputRequest.NEVER_RELEASED
        finished_at = Coalesce(
            audit_moment(OutputRequest._meta.label_lower, finished), F("updated_at")
        )
        requests = (
            OutputRequest.objects.filter(state__in=finished)
            .annotate(clock_at=finished_at)
            .filter(clock_at__lt=cutoff)
        )
        return OutputFile.objects.filter(group__request__in=requests.values("pk")).order_by("pk")


class OutputFileReleasedRun(OutputFilesRun):
    """Every file of a released output request of a project closed before the cutoff (the
    audit trail's transition to closed; the project's last change where an older row has
    none). A closed project is never reopened to released requests' downloads."""

    kind = RecordKind.OUTPUT_FILE_RELEASED
    clock = Clock.PROJECT_CLOSED

    def rows(self, *, cutoff):
        closed = Proposal.State.CLOSED
        projects = (
            Proposal.objects.filter(state=closed)
            .annotate(
                clock_at=Coalesce(audit_moment(Proposal._meta.label_lower, closed), F("updated_at"))
            )
            .filter(clock_at__lt=cutoff)
        )
        return OutputFile.objects.filter(
            group__request__state=OutputRequest.State.RELEASED,
            group__request__project__in=projects.values("pk"),
        ).order_by("pk")


def researchers_ended_before(cutoff: datetime, *, person: str) -> dict[str, Any]:
    """Filters, for rows whose ``person`` field names a researcher: the researcher's last
    accreditation ended (revoked or expired) before ``cutoff``, and none is running now; with
    ``clock_at`` to annotate (when the last one ended), the rows must be written by then."""
    ended = Accreditation.ENDED
    ended_at = Coalesce(audit_moment(Accreditation._meta.label_lower, ended), F("updated_at"))
    last_ended = Subquery(
        Accreditation.objects.filter(researcher=OuterRef(person), state__in=ended)
        .annotate(ended_at=ended_at)
        .order_by("-ended_at")
        .values("ended_at")[:1]
    )
    running = Accreditation.objects.filter(researcher=OuterRef(person)).exclude(state__in=ended)
    applying = AccreditationApplication.objects.filter(
        applicant=OuterRef(person), state__in=AccreditationApplication.OPEN
    )
    return {
        "clock_at": last_ended,
        "exclude": (Exists(running) | Exists(applying)),
    }


class TrainingEvidenceRun(KindRun):
    """The evidence files a researcher uploaded (training certificates, qualification evidence)
    once their last accreditation ended more than the period ago, uploaded while it ran or
    before. Never while they hold an accreditation not yet ended or have an application open
    (a renewal may rest on the same evidence), and never a member of staff's.

    The rows stay (the course and the day it was passed, the qualification): they are the
    person's own account of themselves, which a new application reads. Only the stored file
    and its name go. Identifiers are ``training-<number>`` and ``qualification-<number>``."""

    kind = RecordKind.TRAINING_EVIDENCE
    clock = Clock.ACCREDITATION_ENDED
    model = TrainingRecord
    # model, its file field, its field naming the uploaded file, identifier prefix
    SOURCES: tuple[tuple[type[models.Model], str, str, str], ...] = (
        (TrainingRecord, "certificate", "certificate_name", "training"),
        (Qualification, "evidence", "evidence_name", "qualification"),
    )

    def expired(self, *, cutoff):
        found = []
        for model, file_field, _, prefix in self.SOURCES:
            filters = researchers_ended_before(cutoff, person="user")
            rows = (
                model._default_manager.exclude(**{file_field: ""})
                .exclude(user__groups__name__in=STAFF_ROLES)
                .annotate(clock_at=filters["clock_at"])
                .filter(clock_at__lt=cutoff, created_at__lte=F("clock_at"))
                .exclude(filters["exclude"])
                .order_by("pk")
            )
            storage = model._meta.get_field(file_field).storage  # type: ignore[union-attr]
            found.extend(
                Found(f"{prefix}-{pk}", [StoredFile(storage, name)])
                for pk, name in rows.values_list("pk", file_field)
            )
        return found

    def destroy(self, found, *, certificate):
        identifiers = {item.identifier for item in found}
        for model, file_field, name_field, prefix in self.SOURCES:
            pks = evidence_numbers(identifiers, prefix)
            if pks:
                model._default_manager.filter(pk__in=pks).update(**{file_field: "", name_field: ""})
        return list(found), []


def evidence_numbers(identifiers: Iterable[str], prefix: str) -> list[int]:
    """The record numbers of ``prefix`` (``training``, ``qualification``) among evidence
    identifiers such as ``training-12``."""
    return [
        int(identifier.removeprefix(f"{prefix}-"))
        for identifier in identifiers
        if identifier.startswith(f"{prefix}-")
    ]


class ReminderLedgerRun(KindRun):
    """Rows of the reminder ledger sent before the cutoff. A sweep asks the ledger only about
    due dates within days of today, so an old row stops nothing being sent twice."""

    kind = RecordKind.REMINDER_LEDGER
    clock = Clock.SENT
    model = ReminderSent

    def expired(self, *, cutoff):
        rows = ReminderSent.objects.filter(sent_at__lt=cutoff).order_by("pk")
        return [Found(str(pk)) for pk in rows.values_list("pk", flat=True)]

    def _delete(self, identifiers):
        ReminderSent.objects.filter(pk__in=identifiers).delete()


class OrphanedFileRun(KindRun):
    """Files under the private prefix that no row refers to, last written before the cutoff.

    The period keeps an upload whose row is still being saved, and files written by hand, out
    of reach; a file is found orphaned only when no file field of any model names it."""

    kind = RecordKind.ORPHANED_FILE
    clock = Clock.LAST_WRITTEN
    model = None  # type: ignore[assignment]

    def expired(self, *, cutoff):
        names = list(stored_names(default_storage))
        used = names_in_use(names)
        found = []
        for name in names:
            if name in used:
                continue
            stored = StoredFile(default_storage, name)
            written = modified_at(stored)
            if written is not None and written < cutoff:
                found.append(Found(name, [stored]))
        return found

    def destroy(self, found, *, certificate):
        # Nothing to delete but the files themselves, which the run removes.
        return list(found), []


RUNS: dict[str, KindRun] = {
    run.kind: run
    for run in (
        ApplicationWithdrawnDraftRun(),
        ProposalWithdrawnDraftRun(),
        NotificationReadRun(),
        ReportExportRun(),
        ApplicationWithdrawnSubmittedRun(),
        ApplicationRejectedRun(),
        ProposalRejectedRun(),
        ProjectClosedRun(),
        AccreditationEndedRun(),
        DeclarationRun(),
        TrainingEvidenceRun(),
        OutputFileNotReleasedRun(),
        OutputFileReleasedRun(),
        ReminderLedgerRun(),
        OrphanedFileRun(),
    )
}

# The record a hold names, for every kind: its model, or None for a stored file.
# The kinds the run destroys name their own model; the rest are listed here.
HOLD_MODELS: dict[str, type[models.Model] | None] = {
    **{kind: run.model for kind, run in RUNS.items()},
}


def record_exists(kind: str, identifier: str) -> bool:
    """Whether ``identifier`` names a record (or stored file) of ``kind`` that exists now."""
    if kind == RecordKind.TRAINING_EVIDENCE:
        for model, _, _, prefix in TrainingEvidenceRun.SOURCES:
            number = identifier.removeprefix(f"{prefix}-")
            if number != identifier and number.isdigit():
                return model._default_manager.filter(pk=number).exists()
        return False
    model = HOLD_MODELS[kind]
    if model is None:
        return default_storage.exists(identifier)
    try:
        return model._default_manager.filter(pk=identifier).exists()
    except (ValueError, ValidationError):
        return False


def identifiers_held(holds: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    held: dict[str, set[str]] = {}
    for kind, identifier in holds:
        held.setdefault(kind, set()).add(identifier)
    return held

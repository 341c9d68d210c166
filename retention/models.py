"""The retention schedule as data, legal holds, and the certificates of what was destroyed.

The schedule is versioned as a whole: every change the secretariat makes writes a new
``RetentionSchedule`` with a full copy of its rules, so every past version stays readable and a
certificate names the one version its run followed. Nothing here is ever deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, transition

from identity.roles import Role, user_has_role
from workflow.models import StateGroup, StateMachineModel


class RecordKind(models.TextChoices):
    """The kinds of record the schedule keeps a period for."""

    APPLICATION_WITHDRAWN_DRAFT = (
        "application_withdrawn_draft",
        "Accreditation applications withdrawn before they were submitted",
    )
    PROPOSAL_WITHDRAWN_DRAFT = (
        "proposal_withdrawn_draft",
        "Project proposals withdrawn before they were submitted, abandoned drafts included",
    )
    NOTIFICATION_READ = "notification_read", "Notifications their recipient has read"
    REPORT_EXPORT = "report_export", "Report PDFs prepared for the secretariat"
    ORPHANED_FILE = "orphaned_file", "Stored files no record refers to"
    APPLICATION_WITHDRAWN_SUBMITTED = (
        "application_withdrawn_submitted",
        "Accreditation applications withdrawn after they were submitted",
    )
    APPLICATION_REJECTED = "application_rejected", "Rejected accreditation applications"
    ACCREDITATION_ENDED = (
        "accreditation_ended",
        "Accreditations that have ended, and the applications that led to them",
    )
    DECLARATION = "declaration", "Signed confidentiality declarations and their PDFs"
    TRAINING_EVIDENCE = (
        "training_evidence",
        "Training certificates and qualification evidence",
    )
    PROPOSAL_REJECTED = "proposal_rejected", "Rejected project proposals"
    PROJECT_CLOSED = "project_closed", "Closed projects, with their reviews and decisions"
    OUTPUT_FILE_NOT_RELEASED = (
        "output_file_not_released",
        "Output files never released (request rejected, withdrawn or closed unreleased)",
    )
    OUTPUT_FILE_RELEASED = "output_file_released", "Released output files"
    REMINDER_LEDGER = "reminder_ledger", "The ledger of reminders sent"


class Clock(models.TextChoices):
    """What starts a record's retention period, in words; the value is the code's name for it."""

    WITHDRAWN = "withdrawn", "Withdrawn"
    READ = "read", "Read by its recipient"
    PREPARED = "prepared", "Prepared, or failed to be"
    LAST_WRITTEN = "last_written", "Last written to storage"
    DECIDED = "decided", "Decided"
    ACCREDITATION_ENDED = "accreditation_ended", "The researcher's accreditation ended"
    PROJECT_CLOSED = "project_closed", "The project closed"
    REQUEST_FINISHED = (
        "request_finished",
        "The output request was rejected, withdrawn or closed unreleased",
    )
    SENT = "sent", "Sent"


class Action(models.TextChoices):
    DESTROY = "destroy", "Destroy"
    ANONYMISE = "anonymise", "Reduce to an anonymous record"


class RetentionSchedule(models.Model):
    """One version of the whole schedule: who made it, when, and what changed.

    Version 1 is the proposed defaults the service is installed with; until the secretariat
    confirms a version, the run destroys nothing (a dry run still shows what would go).
    """

    version = models.PositiveIntegerField(primary_key=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the defaults the service was installed with.",
    )
    change = models.TextField(help_text="What changed from the version before, and why.")
    confirmed = models.BooleanField(
        default=False,
        help_text="Whether the secretariat has confirmed the schedule, rather than its periods "
        "still being the proposed defaults.",
    )

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"Retention schedule version {self.version}"


class RetentionRule(models.Model):
    """How long one kind of record is kept, from what, and what happens to it at the end."""

    schedule = models.ForeignKey(RetentionSchedule, on_delete=models.PROTECT, related_name="rules")
    kind = models.CharField(max_length=50, choices=RecordKind.choices)
    clock = models.CharField(
        "What starts the clock", max_length=30, choices=Clock.choices, editable=False
    )
    period_days = models.PositiveIntegerField("Period in days")
    action = models.CharField(max_length=20, choices=Action.choices)
    basis = models.TextField(help_text="Why the period is what it is.")

    class Meta:
        ordering = ["schedule", "id"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "kind"], name="retention_rule_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.period_days} days"


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def active(self) -> "LegalHoldQuerySet":
        return self.filter(lifted_at__isnull=True)


class LegalHold(models.Model):
    """A record the run must not destroy, whatever the schedule says, until the hold is lifted.

    A record is named by its kind and identifier: the record's number, or a stored file's name.
    """

    kind = models.CharField(max_length=50, choices=RecordKind.choices)
    identifier = models.CharField(max_length=255)
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True, default="")

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "identifier"],
                condition=Q(lifted_at__isnull=True),
                name="legal_hold_one_active",
            ),
        ]

    def __str__(self):
        return f"Legal hold on {self.get_kind_display().lower()} {self.identifier}"

    @property
    def active(self):
        return self.lifted_at is None


class DestructionCertificate(models.Model):
    """What one run destroyed, kind by kind, under which version of the schedule.

    ``kinds`` holds, for each kind of the schedule, its rule as the run read it and what
    happened: ``count`` and ``identifiers`` destroyed (with ``references``, what the public knows
    each by, for declarations), ``files`` (storage name, size, SHA-256)
    removed from storage, ``held`` (identifiers under a legal hold), ``kept`` (records other
    records still need), or ``run: false`` for a kind the run does not destroy yet. Saved only for
    a real run; a dry run returns one unsaved, with ``dry_run`` set.
    """

    run_on = models.DateField(help_text="The date the run measured each period to.")
    ran_at = models.DateTimeField(default=timezone.now)
    schedule = models.ForeignKey(
        RetentionSchedule, on_delete=models.PROTECT, related_name="certificates"
    )
    dry_run = models.BooleanField(default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who started the run; empty for the nightly run.",
    )
    total = models.PositiveIntegerField(default=0, help_text="Records and files destroyed.")
    kinds = models.JSONField(default=list)

    class Meta:
        ordering = ["-ran_at", "-id"]

    def __str__(self):
        return f"Destruction certificate {self.pk} of {self.run_on:%d %B %Y}"


def _is_the_person(erasure: "ErasureRequest", user: object) -> bool:
    return getattr(user, "is_authenticated", False) and erasure.person_id == user.pk  # type: ignore[attr-defined]


_is_the_person.message = "The person who asked."  # type: ignore[attr-defined]


def _is_deciding_secretariat(erasure: "ErasureRequest", user: object) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user_has_role(user, Role.SECRETARIAT)  # type: ignore[arg-type]
        and erasure.person_id != user.pk  # type: ignore[attr-defined]
    )


_is_deciding_secretariat.message = "The secretariat, except the person who asked."  # type: ignore[attr-defined]


class ErasureRequest(StateMachineModel):
    """A person's request that the service erase their personal data, and the secretariat's
    answer.

    The secretariat decides with what the service holds about the person in front of it, kind
    by kind, and whether the retention schedule or a legal hold requires each kind to be kept
    (``assessment``, as read when the decision was taken). Erasing carries out everything the
    schedule does not require be kept, in the transaction of the decision, and ``erased`` is its
    record: what kinds, how many, and the name, size and SHA-256 of every file removed.
    """

    class State(models.TextChoices):
        REQUESTED = "requested", "Waiting for a decision"
        ERASED = "erased", "Erased"
        PARTLY_ERASED = "partly_erased", "Partly erased"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    STATE_OWNERS = {
        State.REQUESTED: Role.SECRETARIAT,
        State.ERASED: None,
        State.PARTLY_ERASED: None,
        State.REFUSED: None,
        State.WITHDRAWN: None,
    }
    OPEN = StateGroup([State.REQUESTED], meaning="Open: waiting for the secretariat's decision")
    DECIDED = StateGroup(
        [State.ERASED, State.PARTLY_ERASED, State.REFUSED],
        meaning="Decided: answered by the secretariat",
    )
    STATE_TAG_COLOURS = {
        State.REQUESTED: "blue",
        State.ERASED: "green",
        State.PARTLY_ERASED: "yellow",
        State.REFUSED: "red",
        State.WITHDRAWN: "grey",
    }
    audit_label = "erasure_request"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure_requests"
    )
    reason = models.TextField("why the person asks", blank=True, default="")
    state = FSMField(choices=State.choices, default=State.REQUESTED, protected=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(
        blank=True, default="", help_text="Why anything was kept, or the request refused."
    )
    schedule = models.ForeignKey(
        RetentionSchedule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version of the schedule the decision followed.",
    )
    assessment = models.JSONField(
        default=list, blank=True, help_text="What was held, kind by kind, and what had to be kept."
    )
    erased = models.JSONField(
        default=dict, blank=True, help_text="What was erased: kinds, counts and files."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state="requested"),
                name="erasure_request_one_open",
            ),
        ]

    def __str__(self):
        return f"Erasure request {self.reference}"

    @property
    def reference(self) -> str:
        return f"ER-{self.pk}"

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.ERASED,
        permission=_is_deciding_secretariat,
        custom={
            "label": "Erase everything held",
            "refused": "Only a request waiting for a decision can be decided.",
        },
    )
    def erase(self, *, decider, reason, assessment, erased, schedule, forget_reason):
        self._decided(decider, reason, assessment, erased, schedule, forget_reason)

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.PARTLY_ERASED,
        permission=_is_deciding_secretariat,
        custom={
            "label": "Erase what the schedule does not require be kept",
            "refused": "Only a request waiting for a decision can be decided.",
        },
    )
    def erase_in_part(self, *, decider, reason, assessment, erased, schedule, forget_reason):
        self._decided(decider, reason, assessment, erased, schedule, forget_reason)

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.REFUSED,
        permission=_is_deciding_secretariat,
        custom={
            "label": "Refuse",
            "refused": "Only a request waiting for a decision can be decided.",
        },
    )
    def refuse(self, *, decider, reason, assessment, schedule):
        self._decided(decider, reason, assessment, {}, schedule, False)

    @transition(
        field=state,
        source=State.REQUESTED,
        target=State.WITHDRAWN,
        permission=_is_the_person,
        custom={
            "label": "Withdraw the request",
            "refused": "Only a request waiting for a decision can be withdrawn.",
        },
    )
    def withdraw(self):
        self.decided_at = timezone.now()

    def _decided(self, decider, reason, assessment, erased, schedule, forget_reason):
        # What the person wrote may name them: it goes with their account (the audit trail
        # sealed it under their key).
        if forget_reason:
            self.reason = ""
        self.decided_by = decider
        self.decided_at = timezone.now()
        self.decision_reason = reason
        self.assessment = assessment
        self.erased = erased
        self.schedule = schedule

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import FSMField, transition

from identity.roles import Role
from workflow.models import StateGroup, StateMachineModel

from . import conditions
from .levels import Level
from .permissions import (
    is_applicant,
    is_applicant_or_the_service,
    is_deciding_secretariat,
    is_secretariat_for_accreditation,
    is_the_service,
)


class AccreditationApplication(StateMachineModel):
    """A researcher's request to be accredited, from draft to decision."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    STATE_OWNERS = {
        State.DRAFT: Role.RESEARCHER,
        State.SUBMITTED: Role.SECRETARIAT,
        State.RETURNED: Role.RESEARCHER,
        State.APPROVED: None,
        State.REJECTED: None,
        State.WITHDRAWN: None,
    }
    EDITABLE = StateGroup([State.DRAFT, State.RETURNED], meaning="Editable by the applicant")
    # An applicant has at most one open application; their supervisor answers while it is open.
    OPEN = StateGroup(
        [State.DRAFT, State.SUBMITTED, State.RETURNED],
        meaning="Open: not decided or withdrawn yet",
    )
    # A renewal in this group means its holder needs no reminder that their accreditation ends.
    SENT = StateGroup(
        [State.SUBMITTED, State.RETURNED, State.APPROVED],
        meaning="Sent, and neither rejected nor withdrawn",
    )
    STATE_TAG_COLOURS = {
        State.DRAFT: "grey",
        State.SUBMITTED: "blue",
        State.RETURNED: "orange",
        State.APPROVED: "green",
        State.REJECTED: "red",
        State.WITHDRAWN: "grey",
    }
    audit_label = "accreditation_application"

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="accreditation_applications",
    )
    kind = models.CharField(
        "Accreditation applied for",
        max_length=20,
        choices=Level.choices,
        blank=True,
        default="",
        help_text="Full, or provisional under a supervisor; empty until chosen.",
    )
    state = FSMField(choices=State.choices, default=State.DRAFT, protected=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervised_applications",
        null=True,
        blank=True,
        help_text="A fully accredited researcher from the same organisation (provisional only).",
    )
    supervisor_confirmed_at = models.DateTimeField(null=True, blank=True)
    supervisor_declined_at = models.DateTimeField(null=True, blank=True)
    register_consent = models.BooleanField(
        "Consent to appear on the public register", default=False
    )
    publish_commitment = models.BooleanField("Commitment to publish results", default=False)
    return_comments = models.TextField(
        blank=True, help_text="What the secretariat asked the applicant to change."
    )
    decision_reasons = models.TextField(
        blank=True, help_text="The secretariat's reasons for its decision."
    )
    screening = models.JSONField(
        default=dict,
        blank=True,
        help_text="The secretariat's screening checks: check name -> ticked.",
    )
    renewal_of = models.ForeignKey(
        "Accreditation",
        on_delete=models.PROTECT,
        related_name="renewals",
        null=True,
        blank=True,
        help_text="The accreditation this application renews.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "submitted_at"])]

    def __str__(self):
        return f"Accreditation application {self.pk} ({self.get_state_display().lower()})"

    @property
    def notice_about(self):
        """Whose application this is, for a notification."""
        return f"{self.applicant.get_full_name()}'s application for accreditation"

    @transition(
        field=state,
        source=EDITABLE,
        target=State.SUBMITTED,
        permission=is_applicant,
        conditions=conditions.SUBMISSION_CONDITIONS,
        custom={
            "label": "Submit",
            "refused": "This application has already been submitted, so it cannot be "
            "submitted again.",
        },
    )
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.RETURNED,
        permission=is_deciding_secretariat,
        custom={"label": "Return for changes"},
    )
    def return_to_applicant(self, comments=""):
        self.return_comments = comments

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.APPROVED,
        permission=is_deciding_secretariat,
        conditions=[
            conditions.kind_chosen,
            conditions.screening_complete,
            conditions.full_level_meets_criteria,
            conditions.provisional_level_has_supervisor,
        ],
        custom={"label": "Approve"},
    )
    def approve(self, reasons=""):
        self.decided_at = timezone.now()
        self.decision_reasons = reasons

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.REJECTED,
        permission=is_deciding_secretariat,
        custom={"label": "Reject"},
    )
    def reject(self, reasons=""):
        self.decided_at = timezone.now()
        self.decision_reasons = reasons

    @transition(
        field=state,
        source=OPEN,
        target=State.WITHDRAWN,
        permission=is_applicant_or_the_service,
        custom={
            "label": "Withdraw",
            "refused": "An application can be withdrawn only before a decision.",
        },
    )
    def withdraw(self):
        pass


class Accreditation(StateMachineModel):
    """A researcher's accreditation, created when an application is approved."""

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    STATE_OWNERS = {
        # Nobody has to act: the accreditation runs until its end date or a suspension.
        State.ACTIVE: None,
        State.SUSPENDED: Role.SECRETARIAT,
        State.REVOKED: None,
        State.EXPIRED: None,
    }
    # The retention schedule's clocks start when the last of a researcher's accreditations ends.
    ENDED = StateGroup([State.REVOKED, State.EXPIRED], meaning="Ended: revoked or expired")
    STATE_TAG_COLOURS = {
        State.ACTIVE: "green",
        State.SUSPENDED: "orange",
        State.REVOKED: "red",
        State.EXPIRED: "grey",
    }
    audit_label = "accreditation"

    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="accreditations",
    )
    application = models.OneToOneField(
        AccreditationApplication,
        on_delete=models.PROTECT,
        related_name="accreditation",
    )
    level = models.CharField(max_length=20, choices=Level.choices)
    valid_from = models.DateField()
    valid_until = models.DateField(help_text="The last day the accreditation is valid.")
    state = FSMField(choices=State.choices, default=State.ACTIVE, protected=True)
    state_reasons = models.TextField(
        blank=True,
        help_text="Why it was last suspended or revoked (each step's reasons are also audited).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-valid_until", "-id"]
        indexes = [models.Index(fields=["state", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")),
                name="accreditation_ends_after_it_starts",
                violation_error_message="An accreditation must end after it starts.",
            ),
        ]

    def __str__(self):
        state = self.get_state_display().lower()
        return f"{self.get_level_display()} accreditation {self.pk} ({state})"

    @property
    def notice_about(self):
        """Whose accreditation this is, for a notification."""
        level = self.get_level_display().lower()
        return f"{self.researcher.get_full_name()}'s {level} accreditation"

    @transition(
        field=state,
        source=State.ACTIVE,
        target=State.SUSPENDED,
        permission=is_secretariat_for_accreditation,
        custom={"label": "Suspend"},
    )
    def suspend(self, reasons=""):
        self.state_reasons = reasons

    @transition(
        field=state,
        source=State.SUSPENDED,
        target=State.ACTIVE,
        permission=is_secretariat_for_accreditation,
        conditions=[conditions.within_validity],
        custom={"label": "Reinstate"},
    )
    def reinstate(self, reasons=""):
        self.state_reasons = ""

    @transition(
        field=state,
        source=[State.ACTIVE, State.SUSPENDED],
        target=State.REVOKED,
        permission=is_secretariat_for_accreditation,
        custom={"label": "Revoke"},
    )
    def revoke(self, reasons=""):
        self.state_reasons = reasons

    @transition(
        field=state,
        source=State.ACTIVE,
        target=State.EXPIRED,
        permission=is_the_service,
        conditions=[conditions.past_end_date],
        custom={"label": "Expire"},
    )
    def expire(self):
        pass

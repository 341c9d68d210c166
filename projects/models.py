from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import FSMField, transition

from researchers.roles import Role
from workflow.models import StateMachineModel

from . import conditions
from .permissions import is_coordinator, is_independent_secretariat


class Proposal(StateMachineModel):
    """A research project proposal, from draft through review to an active and closed project."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        SCREENING = "screening", "Screening"
        RETURNED = "returned", "Returned for changes"
        DATA_OWNER_REVIEW = "data_owner_review", "Data owner review"
        PANEL_REVIEW = "panel_review", "Panel review"
        APPROVED = "approved", "Approved"
        APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
        REJECTED = "rejected", "Rejected"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    BEFORE_DECISION = (
        State.DRAFT,
        State.SUBMITTED,
        State.SCREENING,
        State.RETURNED,
        State.DATA_OWNER_REVIEW,
        State.PANEL_REVIEW,
    )
    STATE_OWNERS = {
        State.DRAFT: Role.RESEARCHER,
        State.SUBMITTED: Role.SECRETARIAT,
        State.SCREENING: Role.SECRETARIAT,
        State.RETURNED: Role.RESEARCHER,
        State.DATA_OWNER_REVIEW: Role.DATA_OWNER,
        State.PANEL_REVIEW: Role.PANEL_REVIEWER,
        State.APPROVED: Role.SECRETARIAT,
        State.APPROVED_WITH_CONDITIONS: Role.SECRETARIAT,
        State.REJECTED: None,
        State.ACTIVE: Role.RESEARCHER,
        State.CLOSED: None,
        State.WITHDRAWN: None,
    }
    audit_label = "proposal"

    title = models.CharField(max_length=255)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coordinated_proposals",
        verbose_name="Project co-ordinator",
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    datasets = models.ManyToManyField(
        "legislation.Dataset",
        through="DatasetRequest",
        related_name="proposals",
        blank=True,
    )
    state = FSMField(choices=State.choices, default=State.DRAFT, protected=True)
    fast_tracked = models.BooleanField(
        default=False,
        help_text="Approved by the secretariat under delegated authority, without the panel.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gt=F("start_date")),
                name="proposal_ends_after_it_starts",
                violation_error_message="The project's end date must be after its start date.",
            ),
        ]

    def __str__(self):
        return self.title

    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=State.SUBMITTED,
        permission=is_coordinator,
        conditions=[conditions.has_dates, conditions.ends_after_start, conditions.requests_data],
        custom={"label": "Submit"},
    )
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.SCREENING,
        permission=is_independent_secretariat,
        custom={"label": "Start screening"},
    )
    def start_screening(self):
        pass

    @transition(
        field=state,
        source=[State.SCREENING, State.PANEL_REVIEW],
        target=State.RETURNED,
        permission=is_independent_secretariat,
        custom={"label": "Return for changes"},
    )
    def return_to_coordinator(self):
        pass

    @transition(
        field=state,
        source=State.SCREENING,
        target=State.DATA_OWNER_REVIEW,
        permission=is_independent_secretariat,
        conditions=[conditions.needs_consent],
        custom={"label": "Send to data owners"},
    )
    def send_to_data_owners(self):
        pass

    @transition(
        field=state,
        source=State.DATA_OWNER_REVIEW,
        target=State.PANEL_REVIEW,
        permission=is_independent_secretariat,
        conditions=[],
        custom={"label": "Send to the panel"},
    )
    @transition(
        field=state,
        source=State.SCREENING,
        target=State.PANEL_REVIEW,
        permission=is_independent_secretariat,
        conditions=[conditions.needs_no_consent],
        custom={"label": "Send to the panel"},
    )
    def send_to_panel(self):
        pass

    @transition(
        field=state,
        source=State.SCREENING,
        target=State.APPROVED,
        permission=is_independent_secretariat,
        conditions=[conditions.fast_track_eligible],
        custom={"label": "Approve under delegated authority"},
    )
    def fast_track_approve(self):
        self.fast_tracked = True
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.PANEL_REVIEW,
        target=State.APPROVED,
        permission=is_independent_secretariat,
        custom={"label": "Record approval"},
    )
    def approve(self):
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.PANEL_REVIEW,
        target=State.APPROVED_WITH_CONDITIONS,
        permission=is_independent_secretariat,
        custom={"label": "Record approval with conditions"},
    )
    def approve_with_conditions(self):
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.PANEL_REVIEW,
        target=State.REJECTED,
        permission=is_independent_secretariat,
        custom={"label": "Record rejection"},
    )
    def reject(self):
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=[State.APPROVED, State.APPROVED_WITH_CONDITIONS],
        target=State.ACTIVE,
        permission=is_independent_secretariat,
        conditions=[conditions.not_ended],
        custom={"label": "Activate"},
    )
    def activate(self):
        pass

    @transition(
        field=state,
        source=State.ACTIVE,
        target=State.CLOSED,
        permission=is_independent_secretariat,
        custom={"label": "Close"},
    )
    def close(self):
        pass

    @transition(
        field=state,
        source=list(BEFORE_DECISION),
        target=State.WITHDRAWN,
        permission=is_coordinator,
        custom={
            "label": "Withdraw",
            "refused": "A proposal can be withdrawn only before a decision.",
        },
    )
    def withdraw(self):
        pass


class DatasetRequest(models.Model):
    """A dataset a proposal asks to use, and why openly available data cannot answer it."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="dataset_requests"
    )
    dataset = models.ForeignKey(
        "legislation.Dataset", on_delete=models.PROTECT, related_name="requests"
    )
    reason = models.TextField(
        blank=True,
        help_text="Why openly available data cannot be used instead.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "dataset"], name="one_request_per_dataset_per_proposal"
            ),
        ]

    def __str__(self):
        return f"{self.dataset} for {self.proposal}"

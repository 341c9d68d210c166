import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone
from django_fsm import FSMField, transition

from identity.roles import Role
from legislation.access_modes import AccessMode
from projects.consent.permissions import is_data_owner_or_secretariat
from projects.lifecycle import conditions as lifecycle_conditions
from projects.lifecycle.permissions import is_coordinator_or_the_service_on_schedule, is_the_service
from uploads.storage import PrivateUploadTo
from workflow.models import StateGroup, StateMachineModel

from . import conditions
from .permissions import (
    is_coordinator,
    is_coordinator_or_the_service_on_draft,
    is_independent_secretariat,
)


class Purpose(models.TextChoices):
    """The public-good purposes a project may serve (Digital Economy Act 2017 research code)."""

    POLICY_EVIDENCE = (
        "policy_evidence",
        "Provide an evidence base for public policy decision-making",
    )
    SERVICE_DELIVERY = (
        "service_delivery",
        "Provide an evidence base for public service delivery",
    )
    ECONOMY_SOCIETY = (
        "economy_society",
        "Provide an evidence base for decisions likely to significantly benefit the UK economy, "
        "society or quality of life",
    )
    REPLICATE_VALIDATE = (
        "replicate_validate",
        "Replicate, validate or challenge existing research, including official statistics",
    )
    UNDERSTANDING_TRENDS = (
        "understanding_trends",
        "Significantly extend understanding of social or economic trends or events",
    )
    STATISTICS_QUALITY = (
        "statistics_quality",
        "Improve the quality, coverage or presentation of existing research, including "
        "official statistics",
    )


class EthicsQuestion(models.TextChoices):
    """The structured questions of a proposal's ethics self-assessment."""

    PUBLIC_GOOD = "public_good", "Public good"
    CONFIDENTIALITY = "confidentiality", "Confidentiality"
    METHODS_QUALITY = "methods_quality", "Methods and quality"
    LEGAL_COMPLIANCE = "legal_compliance", "Legal compliance"
    PUBLIC_VIEWS = "public_views", "Public views"


class EthicsAnswer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PARTLY = "partly", "Partly"


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
        ENDED = "ended", "Ended"
        CLOSED = "closed", "Closed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    EDITABLE = StateGroup([State.DRAFT, State.RETURNED], meaning="Editable by the co-ordinator")
    TO_SCREEN = StateGroup(
        [State.SUBMITTED, State.SCREENING], meaning="Waiting for the secretariat's screening"
    )
    BEFORE_DECISION = StateGroup(
        [
            State.DRAFT,
            State.SUBMITTED,
            State.SCREENING,
            State.RETURNED,
            State.DATA_OWNER_REVIEW,
            State.PANEL_REVIEW,
        ],
        meaning="Before a decision: the co-ordinator may still withdraw it",
    )
    # An approved amendment stays here: it comes into force on the project it amends and is
    # never started itself.
    APPROVED_NOT_STARTED = StateGroup(
        [State.APPROVED, State.APPROVED_WITH_CONDITIONS],
        meaning="Approved, with or without conditions, and not started",
    )
    # Every member of the team must hold accreditation lasting to the end date; a member who
    # loses theirs is a problem the co-ordinator is told about.
    LIVE = StateGroup(
        [*APPROVED_NOT_STARTED, State.ACTIVE],
        meaning="Live: approved and waiting to start, or active",
    )
    # Active, or ended with its released outputs still to be published or waived. Either can be
    # amended, and have publication waived.
    UNDER_WAY = StateGroup([State.ACTIVE, State.ENDED], meaning="Under way: started and not closed")
    ON_REGISTER = StateGroup(
        [*APPROVED_NOT_STARTED, State.ACTIVE, State.ENDED, State.CLOSED],
        meaning="On the public register of projects",
    )
    FINISHED = StateGroup(
        [State.REJECTED, State.CLOSED, State.WITHDRAWN],
        meaning="Finished: nothing more is asked of the team",
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
        # The team records where its released outputs were published; the checkers finish what
        # was sent by the end date, and the service closes the project once nothing is left.
        State.ENDED: Role.RESEARCHER,
        State.CLOSED: None,
        State.WITHDRAWN: None,
    }
    STATE_TAG_COLOURS = {
        State.DRAFT: "grey",
        State.SUBMITTED: "blue",
        State.SCREENING: "blue",
        State.RETURNED: "orange",
        State.DATA_OWNER_REVIEW: "blue",
        State.PANEL_REVIEW: "blue",
        State.APPROVED: "green",
        State.APPROVED_WITH_CONDITIONS: "green",
        State.REJECTED: "red",
        State.ACTIVE: "green",
        State.ENDED: "yellow",
        State.CLOSED: "grey",
        State.WITHDRAWN: "grey",
    }
    audit_label = "proposal"

    title = models.CharField(max_length=255)
    lay_summary = models.TextField(blank=True, default="")
    purposes = models.JSONField(
        default=list, blank=True, help_text="Purpose values: the public good the project serves."
    )
    purpose_explanation = models.TextField(blank=True, default="")
    aims = models.TextField(blank=True, default="")
    methods = models.TextField(blank=True, default="")
    software = models.TextField(blank=True, default="")
    ethics = models.JSONField(
        default=dict,
        blank=True,
        help_text='EthicsQuestion value -> {"answer": "yes"|"no"|"partly", "details": text}.',
    )
    dpia_needed = models.BooleanField(
        "Data protection impact assessment needed", null=True, blank=True
    )
    dpia_file = models.FileField(
        "Data protection impact assessment",
        upload_to=PrivateUploadTo("dpia"),
        blank=True,
        max_length=255,
    )
    access_mode = models.CharField(
        max_length=20, choices=AccessMode.choices, blank=True, default=""
    )
    outputs_plan = models.TextField(blank=True, default="")
    publication_plan = models.TextField(blank=True, default="")
    exclude_team_organisations = models.BooleanField(
        default=False,
        help_text="Nobody from a team member's organisation may review this proposal.",
    )
    version = models.PositiveIntegerField(default=1)
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        help_text="The project in force this proposal would amend.",
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    start_scheduled_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the co-ordinator asked the service to start the approved project itself "
        "on its start date.",
    )
    start_scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
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
    # Set when made, as auto_now_add would, but early enough for ``save`` to list it.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # When the project this proposal belongs to was sent and made: its own for a project, its
    # project's for an amendment. The secretariat's list is ordered by them (``save`` keeps
    # them), so an index gives its pages without sorting every proposal.
    project_sent_at = models.DateTimeField(null=True, editable=False)
    project_created_at = models.DateTimeField(editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The register of projects lists and pages by title, then by project. Searches by
            # part of a title use a trigram index too, on PostgreSQL only (migration 0007).
            models.Index(fields=["title", "id"], name="proposal_by_title"),
            # The secretariat's proposal list in its order (``screening.selectors
            # .in_list_order``): a page is read from the index rather than by sorting them all.
            models.Index(
                F("project_sent_at"),
                F("project_created_at"),
                Coalesce("amends", "id"),
                F("version"),
                name="proposal_list_order",
            ),
            # The secretariat's queues count and list proposals by state, and the output
            # checkers' queue joins its requests to active and ended projects: with the key,
            # co-ordinator and end date in the index, neither reads the proposals themselves.
            models.Index(
                fields=["state", "id", "coordinator", "end_date"], name="proposal_by_state"
            ),
            # Proposals and amendments waiting to be screened, the longest waiting first (an
            # ascending index keeps those never sent last, as the queue does).
            models.Index(
                fields=["submitted_at", "created_at", "id"],
                condition=Q(state__in=["submitted", "screening"]),
                name="proposals_to_screen",
            ),
            # Proposals with the panel in the order the secretariat's panel queues list them:
            # the queues count every panel, and the order comes from this index rather than
            # from the proposals' rows.
            models.Index(
                fields=["submitted_at", "created_at", "id"],
                condition=Q(state="panel_review"),
                name="proposals_with_panel",
            ),
        ]
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

    def save(self, *args: Any, update_fields: Iterable[str] | None = None, **kwargs: Any) -> None:
        self.project_sent_at, self.project_created_at = self._project_dates()
        if update_fields is not None:
            update_fields = {*update_fields, "project_sent_at", "project_created_at"}
        super().save(*args, update_fields=update_fields, **kwargs)

    def _project_dates(self):
        """When the project this proposal belongs to was sent and made. An amendment takes its
        project's once, when it is made: a project is amended only once it is under way, and
        is never sent again after that."""
        if self.amends_id is None:
            return self.submitted_at, self.created_at
        if self.project_created_at is None:
            return self.amends.submitted_at, self.amends.created_at
        return self.project_sent_at, self.project_created_at

    @property
    def audit_person_id(self):
        """Whose key seals the title in the audit trail: the co-ordinator wrote it."""
        return self.coordinator_id

    @property
    def notice_about(self):
        """The proposal and its co-ordinator, for a notification."""
        return f"“{self.title}”, from {self.coordinator.get_full_name()}"

    @property
    def checking_grace_until(self):
        """The last day the output checkers may still check and release a request sent by the
        end date, ``PROJECT_END_GRACE_DAYS`` after it; None without an end date."""
        if self.end_date is None:
            return None
        return self.end_date + timedelta(days=settings.PROJECT_END_GRACE_DAYS)

    @transition(
        field=state,
        source=EDITABLE,
        target=State.SUBMITTED,
        permission=is_coordinator,
        conditions=list(conditions.SUBMISSION_CONDITIONS),
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
    @transition(
        field=state,
        source=State.DATA_OWNER_REVIEW,
        target=State.RETURNED,
        permission=is_data_owner_or_secretariat,
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
        permission=is_data_owner_or_secretariat,
        conditions=[conditions.consent_given],
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
        conditions=[conditions.fast_track_eligible, *conditions.APPROVAL_CONDITIONS],
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
        conditions=list(conditions.APPROVAL_CONDITIONS),
        custom={"label": "Record approval"},
    )
    def approve(self):
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.PANEL_REVIEW,
        target=State.APPROVED_WITH_CONDITIONS,
        permission=is_independent_secretariat,
        conditions=list(conditions.APPROVAL_CONDITIONS),
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
        source=APPROVED_NOT_STARTED,
        target=State.ACTIVE,
        permission=is_coordinator_or_the_service_on_schedule,
        conditions=[
            lifecycle_conditions.is_not_an_amendment,
            lifecycle_conditions.start_date_reached,
            conditions.not_ended,
            lifecycle_conditions.team_accredited_to_end,
            lifecycle_conditions.team_two_factor_to_start,
        ],
        custom={"label": "Activate"},
    )
    def activate(self):
        self.activated_at = timezone.now()

    @transition(
        field=state,
        source=State.ACTIVE,
        target=State.ENDED,
        permission=is_the_service,
        conditions=[lifecycle_conditions.past_end_date],
        custom={"label": "End"},
    )
    def end(self):
        self.ended_at = timezone.now()

    @transition(
        field=state,
        source=State.ENDED,
        target=State.ACTIVE,
        permission=is_the_service,
        conditions=[
            lifecycle_conditions.end_date_not_passed,
            lifecycle_conditions.team_accredited_to_end,
        ],
        custom={"label": "Reopen"},
    )
    def reopen(self):
        self.ended_at = None

    @transition(
        field=state,
        source=State.ENDED,
        target=State.CLOSED,
        permission=is_the_service,
        conditions=list(lifecycle_conditions.ENDED_CLOSE_CONDITIONS),
        custom={"label": "Close"},
    )
    @transition(
        field=state,
        source=State.ACTIVE,
        target=State.CLOSED,
        permission=is_coordinator,
        conditions=list(lifecycle_conditions.CLOSE_CONDITIONS),
        custom={"label": "Close"},
    )
    def close(self):
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=BEFORE_DECISION,
        target=State.WITHDRAWN,
        permission=is_coordinator_or_the_service_on_draft,
        custom={
            "label": "Withdraw",
            "refused": "A proposal can be withdrawn only before a decision.",
        },
    )
    def withdraw(self):
        pass


class DatasetRequest(models.Model):
    """A dataset a proposal asks to use, and why openly available data cannot answer it."""

    class Consent(models.TextChoices):
        NOT_NEEDED = "not_needed", "Not needed"
        PENDING = "pending", "Waiting for the data owner"
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="dataset_requests"
    )
    dataset = models.ForeignKey(
        "legislation.Dataset", on_delete=models.PROTECT, related_name="requests"
    )
    variables = models.TextField(blank=True, default="", help_text="The variables needed.")
    open_data_reason = models.TextField(
        blank=True,
        default="",
        help_text="Why openly available data cannot be used instead.",
    )
    consent = models.CharField(max_length=20, choices=Consent.choices, default=Consent.PENDING)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_reasons = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "dataset"], name="one_request_per_dataset_per_proposal"
            ),
        ]
        # Which proposals still wait for a department's consent (the secretariat's queue).
        indexes = [
            models.Index(
                fields=["proposal"],
                condition=Q(consent="pending"),
                name="dataset_requests_pending",
            ),
        ]

    def __str__(self):
        return f"{self.dataset} for {self.proposal}"


def _team_token():
    return secrets.token_urlsafe(32)


class TeamMember(models.Model):
    """A person invited onto a project's team; they join once they accept in the service."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", "Co-ordinator"
        MEMBER = "member", "Team member"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project_memberships",
        help_text="Set when the invitation is accepted.",
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_team_token, editable=False)

    class Meta:
        ordering = ["invited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "email"], name="one_invitation_per_email"),
        ]
        indexes = [
            # A person's invitations still open, looked up by email on their projects page:
            # without it, every team row of the scheme is read.
            models.Index(
                Upper("email"),
                condition=Q(accepted_at__isnull=True, declined_at__isnull=True),
                name="projects_teammember_open_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} on {self.proposal}"

    @property
    def accepted(self):
        return self.accepted_at is not None and self.declined_at is None

    @property
    def status_label(self):
        if self.declined_at:
            return "Declined"
        if self.accepted_at:
            return "Accepted"
        return "Invited"


class ScreeningReview(models.Model):
    """The secretariat's completeness and feasibility check of one submission."""

    class Outcome(models.TextChoices):
        PASSED = "passed", "Passed on"
        RETURNED = "returned", "Returned for changes"
        FAST_TRACKED = "fast_tracked", "Approved under delegated authority"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="screenings")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checks = models.JSONField(default=list, blank=True)
    section_comments = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Screening of {self.proposal}: {self.get_outcome_display()}"


class DataOwnerRepresentative(models.Model):
    """A data-owner user who speaks for a department on consent to its datasets."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="represents"
    )
    department = models.ForeignKey(
        "legislation.Department", on_delete=models.CASCADE, related_name="representatives"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"], name="one_representation_per_department"
            ),
        ]

    def __str__(self):
        return f"{self.user} for {self.department}"

    @property
    def audit_person_id(self):
        """Whose key seals this representation's title, which names them, in the audit trail."""
        return self.user_id


class ReviewerAssignmentQuerySet(models.QuerySet["ReviewerAssignment"]):
    def on_panel(self) -> Self:
        """The reviewers who make up a proposal's panel: those assigned now, and those whose
        recommendation stands after the panel-reviewer role was taken away from them."""
        return self.filter(Q(removed_at__isnull=True) | Q(recommendation_stands=True))


class ReviewerAssignment(models.Model):
    """A panel reviewer assigned to one proposal; removed rather than deleted.

    An assignment ends (``removed_at``) when the secretariat unassigns the reviewer, the reviewer
    declares a conflict, the proposal is returned, or the reviewer loses the panel-reviewer
    role; the reviewer's access to the proposal ends with it. A recommendation submitted
    before the role was taken away still counts (``recommendation_stands``).
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    independent = models.BooleanField(default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    due_date = models.DateField(null=True, blank=True)
    conflict_declared = models.BooleanField(null=True, blank=True)
    conflict_details = models.TextField(blank=True, default="")
    conflict_declared_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.TextField(blank=True, default="")
    recommendation_stands = models.BooleanField(
        default=False,
        help_text="The reviewer lost the panel-reviewer role after recommending: the assignment "
        "has ended and the recommendation still counts towards the panel.",
    )

    objects = ReviewerAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"],
                condition=Q(removed_at__isnull=True),
                name="one_active_assignment_per_reviewer",
            ),
            models.CheckConstraint(
                condition=Q(recommendation_stands=False) | Q(removed_at__isnull=False),
                name="a_standing_recommendation_is_of_an_ended_assignment",
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} reviewing {self.proposal}"


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Recommendation(models.Model):
    """A reviewer's independent recommendation on a proposal, with scores from 1 to 5."""

    class Choice(models.TextChoices):
        APPROVE = "approve", "Approve"
        APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"
        RETURN = "return", "Return for changes"
        REJECT = "reject", "Reject"

    assignment = models.OneToOneField(
        ReviewerAssignment, on_delete=models.CASCADE, related_name="recommendation"
    )
    recommendation = models.CharField(max_length=30, choices=Choice.choices)
    score_public_benefit = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    score_analytical_merit = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    score_feasibility = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    score_privacy_risk_mitigation = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    score_ethics = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    comments = models.TextField(blank=True, default="")
    suggested_conditions = models.TextField(blank=True, default="")
    submitted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.get_recommendation_display()} from {self.assignment.reviewer}"


class PanelDecision(models.Model):
    """A decision on a proposal; the latest is the one in force (a return keeps the history)."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved"
        APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
        REJECTED = "rejected", "Rejected"
        RETURNED = "returned", "Returned for changes"

    class Route(models.TextChoices):
        PANEL = "panel", "Research Accreditation Panel"
        FAST_TRACK = "fast_track", "Fast track (delegated authority)"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    route = models.CharField(max_length=20, choices=Route.choices, default=Route.PANEL)
    rationale = models.TextField(blank=True, default="")
    conditions = models.TextField(blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        get_latest_by = ["decided_at", "id"]

    def __str__(self):
        return f"{self.get_outcome_display()}: {self.proposal}"


class ProposalSnapshot(models.Model):
    """What a version of a proposal said when it was submitted or approved."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    reason = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.proposal} version {self.version} ({self.reason})"

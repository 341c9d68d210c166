from types import SimpleNamespace

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition

from identity.roles import Role
from outputs.request import conditions as request_conditions
from projects.lifecycle.permissions import is_the_service
from projects.models import Proposal
from uploads.storage import PRIVATE_PREFIX
from workflow.models import StateGroup, StateMachineModel

from . import conditions
from .permissions import (
    is_author_in_project,
    is_author_or_the_service_on_draft,
    is_independent_output_checker,
)


class OutputType(models.TextChoices):
    FREQUENCY_TABLE = "frequency_table", "Frequency table"
    MAGNITUDE_TABLE = "magnitude_table", "Magnitude table"
    REGRESSION = "regression", "Regression"
    HISTOGRAM = "histogram", "Histogram"
    SURVIVAL_TABLE = "survival_table", "Survival table"
    FIGURE = "figure", "Figure"
    OTHER = "other", "Other"


def output_file_path(instance: "OutputFile | SimpleNamespace", filename: str) -> str:
    """Where an output's content is kept: named by its SHA-256 under a private prefix, so
    identical content is stored once and no name a person chose ever becomes a path."""
    digest = instance.sha256
    return f"{PRIVATE_PREFIX}/outputs/{digest[:2]}/{digest[2:4]}/{digest}"


class OutputRequest(StateMachineModel):
    """A request to take results out of the secure setting, checked by two output checkers."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        PARTIALLY_REVIEWED = "partially_reviewed", "Partially reviewed"
        REVIEWED = "reviewed", "Reviewed"
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        RELEASED = "released", "Released"
        WITHDRAWN = "withdrawn", "Withdrawn"
        LAPSED = "lapsed", "Closed unreleased"

    EDITABLE = StateGroup(
        [State.DRAFT, State.RETURNED],
        meaning="Editable by its author: not sent yet, or returned for changes",
    )
    # Either checker may still start their review, or submit it; the service level runs.
    BEING_REVIEWED = StateGroup(
        [State.SUBMITTED, State.PARTIALLY_REVIEWED],
        meaning="Being reviewed: waiting for a checker's review",
    )
    IN_QUEUE = StateGroup(
        [*BEING_REVIEWED, State.REVIEWED],
        meaning="In the output checkers' queue: waiting for a review or a decision",
    )
    IN_CHECKING = StateGroup(
        [*IN_QUEUE, State.APPROVED],
        meaning="With the output checkers: sent, and not yet released, rejected or returned",
    )
    UNFINISHED = StateGroup(
        [*EDITABLE, *IN_CHECKING],
        meaning="Unfinished: still to be sent, with the checkers, or back with the author",
    )
    NEVER_RELEASED = StateGroup(
        [State.REJECTED, State.WITHDRAWN, State.LAPSED],
        meaning="Never to be released: rejected, withdrawn, or closed unreleased once its "
        "project ended",
    )

    STATE_OWNERS = {
        State.DRAFT: Role.RESEARCHER,
        State.SUBMITTED: Role.OUTPUT_CHECKER,
        State.PARTIALLY_REVIEWED: Role.OUTPUT_CHECKER,
        State.REVIEWED: Role.OUTPUT_CHECKER,
        State.RETURNED: Role.RESEARCHER,
        State.APPROVED: Role.OUTPUT_CHECKER,
        State.REJECTED: None,
        State.RELEASED: None,
        State.WITHDRAWN: None,
        State.LAPSED: None,
    }
    STATE_TAG_COLOURS = {
        State.DRAFT: "grey",
        State.SUBMITTED: "blue",
        State.PARTIALLY_REVIEWED: "grey",
        State.REVIEWED: "grey",
        State.RETURNED: "orange",
        State.APPROVED: "green",
        State.REJECTED: "red",
        State.RELEASED: "grey",
        State.WITHDRAWN: "grey",
        State.LAPSED: "grey",
    }
    audit_label = "output_request"

    project = models.ForeignKey(
        Proposal,
        on_delete=models.PROTECT,
        related_name="output_requests",
    )
    title = models.CharField("Short description", max_length=200, blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="output_requests",
    )
    state = FSMField(choices=State.choices, default=State.DRAFT, protected=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The checkers' queue: its oldest requests in order without sorting the table, and
            # its count from the index alone (PostgreSQL keeps the included columns in it).
            models.Index(
                fields=["submitted_at", "id"],
                include=["project", "author"],
                condition=models.Q(state__in=["submitted", "partially_reviewed", "reviewed"]),
                name="outputs_request_queue",
            ),
        ]

    def __str__(self):
        return self.title or f"Output request {self.pk}"

    @property
    def audit_person_id(self):
        """Whose key seals the title in the audit trail: the author wrote it."""
        return self.author_id

    @property
    def notice_about(self):
        """The request, its project and its author, for a notification."""
        return f"“{self}” of “{self.project.title}”, from {self.author.get_full_name()}"

    @transition(
        field=state,
        source=EDITABLE,
        target=State.SUBMITTED,
        permission=is_author_in_project,
        conditions=[
            conditions.project_active,
            request_conditions.author_accredited,
            request_conditions.has_a_file,
            request_conditions.every_group_described,
            request_conditions.checks_finished,
        ],
        custom={"label": "Submit"},
    )
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.PARTIALLY_REVIEWED,
        permission=is_independent_output_checker,
        conditions=[conditions.checking_open],
        custom={"label": "Submit first review"},
    )
    def record_first_review(self):
        pass

    @transition(
        field=state,
        source=State.PARTIALLY_REVIEWED,
        target=State.REVIEWED,
        permission=is_independent_output_checker,
        conditions=[conditions.checking_open],
        custom={"label": "Submit second review"},
    )
    def record_second_review(self):
        pass

    @transition(
        field=state,
        source=State.REVIEWED,
        target=State.APPROVED,
        permission=is_independent_output_checker,
        conditions=[conditions.checking_open, conditions.every_file_approved_twice],
        custom={"label": "Approve"},
    )
    def approve(self):
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.REVIEWED,
        target=State.RETURNED,
        permission=is_independent_output_checker,
        conditions=[conditions.can_be_sent_again, conditions.every_unapproved_group_commented],
        custom={"label": "Return for changes"},
    )
    def return_to_author(self):
        self.returned_at = timezone.now()

    @transition(
        field=state,
        source=State.REVIEWED,
        target=State.REJECTED,
        permission=is_independent_output_checker,
        conditions=[conditions.checking_open],
        custom={"label": "Reject"},
    )
    def reject(self):
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.RELEASED,
        permission=is_independent_output_checker,
        conditions=[conditions.checking_open],
        custom={"label": "Release"},
    )
    def release(self):
        self.released_at = timezone.now()

    @transition(
        field=state,
        source=EDITABLE,
        target=State.WITHDRAWN,
        permission=is_author_or_the_service_on_draft,
        custom={
            "label": "Withdraw",
            "refused": "An output request can be withdrawn only while it is a draft or returned.",
        },
    )
    def withdraw(self):
        pass

    @transition(
        field=state,
        source=UNFINISHED,
        target=State.LAPSED,
        permission=is_the_service,
        conditions=[conditions.grace_period_over],
        custom={"label": "Close unreleased"},
    )
    def lapse(self):
        pass


class FileGroup(models.Model):
    """Files that belong together, with what they show and the controls applied to them."""

    request = models.ForeignKey(OutputRequest, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=200)
    context = models.TextField(blank=True, default="")
    disclosure_controls = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "name"], name="outputs_group_unique_name")
        ]

    def __str__(self):
        return self.name


class OutputFile(models.Model):
    """One version of one output. A changed file is a new row; the old one keeps replaced_at."""

    class AcroStatus(models.TextChoices):
        PASS = "pass", "Pass"
        FAIL = "fail", "Fail"
        REVIEW = "review", "Needs checking by eye"

    group = models.ForeignKey(FileGroup, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    output_type = models.CharField(max_length=30, choices=OutputType.choices)
    file = models.FileField(upload_to=output_file_path, max_length=255)
    sha256 = models.CharField(
        max_length=64, db_index=True, validators=[RegexValidator(r"^[0-9a-f]{64}$")]
    )
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    counts_file = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    degrees_of_freedom = models.PositiveIntegerField(null=True, blank=True)
    acro_uid = models.CharField(max_length=200, blank=True, default="")
    acro_status = models.CharField(
        max_length=10, choices=AcroStatus.choices, blank=True, default=""
    )
    acro_comments = models.TextField(blank=True, default="")
    acro_exception = models.TextField(blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name

    @property
    def audit_person_id(self):
        """Whose key seals the file's name in the audit trail: the person who named it."""
        return self.uploaded_by_id


class CheckResult(models.Model):
    """What one automated check found in one file."""

    class Check(models.TextChoices):
        THRESHOLD = "threshold", "Minimum threshold"
        DOMINANCE = "dominance", "Counts behind a magnitude table"
        DEGREES_OF_FREEDOM = "degrees_of_freedom", "Residual degrees of freedom"
        HISTOGRAM = "histogram", "Histogram"
        ACRO = "acro", "ACRO"
        NOT_RUN = "not_run", "Automated checks"

    class Outcome(models.TextChoices):
        PASS = "pass", "Pass"
        FAIL = "fail", "Fail"
        REVIEW = "review", "Needs checking by eye"

    file = models.ForeignKey(OutputFile, on_delete=models.CASCADE, related_name="checks")
    # Not "check": a field of that name would hide Django's Model.check().
    check_name = models.CharField(max_length=30, choices=Check.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    message = models.TextField(blank=True, default="")
    flagged_cells = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_check_name_display()}: {self.get_outcome_display()}"


class Review(models.Model):
    """One output checker's review of one round of a request."""

    request = models.ForeignKey(OutputRequest, on_delete=models.CASCADE, related_name="reviews")
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="output_reviews"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    round = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "checker", "round"], name="outputs_review_unique_round"
            )
        ]

    def __str__(self):
        return f"Review of {self.request} by {self.checker}"


class FileVote(models.Model):
    class Vote(models.TextChoices):
        APPROVE = "approve", "Approve"
        CHANGES = "changes", "Request changes"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    file = models.ForeignKey(OutputFile, on_delete=models.CASCADE, related_name="votes")
    vote = models.CharField(max_length=10, choices=Vote.choices)
    comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "file"], name="outputs_vote_unique_file")
        ]

    def __str__(self):
        return f"{self.get_vote_display()}: {self.file}"


class GroupComment(models.Model):
    """A checker's comment on a group: private to the checkers, or public to the researcher.

    Made while reviewing, it belongs to the checker's review and shows once that review is
    submitted. Made once both reviews are in, by whichever checker decides, it has no review.
    """

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="comments", null=True, blank=True
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveIntegerField(default=1)
    group = models.ForeignKey(FileGroup, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()
    public = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Comment on {self.group}"


class Publication(models.Model):
    """Where a released output was published."""

    file = models.OneToOneField(OutputFile, on_delete=models.PROTECT, related_name="publication")
    citation = models.TextField()
    doi = models.CharField("DOI", max_length=200, blank=True, default="")
    url = models.URLField("URL", max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.citation


class PublicationWaiver(models.Model):
    """The secretariat's reasons for letting a project close with released outputs unpublished."""

    project = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="publication_waivers"
    )
    reasons = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Publication waiver for {self.project}"


class Download(models.Model):
    """A released file, or a request's zip, taken by a project member."""

    file = models.ForeignKey(
        OutputFile, on_delete=models.PROTECT, null=True, blank=True, related_name="downloads"
    )
    request = models.ForeignKey(OutputRequest, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    as_zip = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Download by {self.user}"


class ReleaseRecord(models.Model):
    """What was released, checked and decided, written once when a request is released: a JSON
    document, and the same bytes signed with the service's key as a compact JWS.

    ``jws`` is empty only while the service's key cannot be read; the record is signed the next
    time it is asked for. The JSON never changes once written.
    """

    request = models.OneToOneField(
        OutputRequest, on_delete=models.PROTECT, related_name="release_record"
    )
    schema = models.CharField(max_length=100)
    document = models.TextField(help_text="The record, as JSON (UTF-8).")
    sha256 = models.CharField(
        max_length=64,
        db_index=True,
        validators=[RegexValidator(r"^[0-9a-f]{64}$")],
        help_text="Of the JSON.",
    )
    jws = models.TextField(blank=True, default="", help_text="The JSON signed, as a compact JWS.")
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Release record of {self.request}"

    @property
    def document_bytes(self) -> bytes:
        return self.document.encode("utf-8")

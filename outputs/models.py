from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition

from projects.models import Proposal
from researchers.roles import Role
from workflow.models import StateMachineModel

from . import conditions
from .permissions import is_author, is_author_in_project, is_independent_output_checker


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
    }
    audit_label = "output_request"

    project = models.ForeignKey(
        Proposal,
        on_delete=models.PROTECT,
        related_name="output_requests",
    )
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

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Output request {self.pk} for {self.project}"

    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=State.SUBMITTED,
        permission=is_author_in_project,
        conditions=[conditions.project_active],
        custom={"label": "Submit"},
    )
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.PARTIALLY_REVIEWED,
        permission=is_independent_output_checker,
        custom={"label": "Submit first review"},
    )
    def record_first_review(self):
        pass

    @transition(
        field=state,
        source=State.PARTIALLY_REVIEWED,
        target=State.REVIEWED,
        permission=is_independent_output_checker,
        custom={"label": "Submit second review"},
    )
    def record_second_review(self):
        pass

    @transition(
        field=state,
        source=State.REVIEWED,
        target=State.APPROVED,
        permission=is_independent_output_checker,
        custom={"label": "Approve"},
    )
    def approve(self):
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.REVIEWED,
        target=State.RETURNED,
        permission=is_independent_output_checker,
        custom={"label": "Return for changes"},
    )
    def return_to_author(self):
        pass

    @transition(
        field=state,
        source=State.REVIEWED,
        target=State.REJECTED,
        permission=is_independent_output_checker,
        custom={"label": "Reject"},
    )
    def reject(self):
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.RELEASED,
        permission=is_independent_output_checker,
        conditions=[conditions.project_active],
        custom={"label": "Release"},
    )
    def release(self):
        self.released_at = timezone.now()

    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=State.WITHDRAWN,
        permission=is_author,
        custom={
            "label": "Withdraw",
            "refused": "An output request can be withdrawn only while it is a draft or returned.",
        },
    )
    def withdraw(self):
        pass

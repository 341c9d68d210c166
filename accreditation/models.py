from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import FSMField, transition

from researchers.roles import Role
from workflow.models import StateMachineModel

from . import conditions
from .permissions import (
    is_applicant,
    is_deciding_secretariat,
    is_secretariat_for_accreditation,
    is_the_service,
)


class Level(models.TextChoices):
    FULL = "full", "Full"
    PROVISIONAL = "provisional", "Provisional"


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

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Accreditation application {self.pk} ({self.get_state_display().lower()})"

    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=State.SUBMITTED,
        permission=is_applicant,
        conditions=[],
        custom={"label": "Submit"},
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
    def return_to_applicant(self):
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.APPROVED,
        permission=is_deciding_secretariat,
        conditions=[conditions.kind_chosen],
        custom={"label": "Approve"},
    )
    def approve(self):
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.REJECTED,
        permission=is_deciding_secretariat,
        custom={"label": "Reject"},
    )
    def reject(self):
        self.decided_at = timezone.now()

    @transition(
        field=state,
        source=[State.DRAFT, State.SUBMITTED, State.RETURNED],
        target=State.WITHDRAWN,
        permission=is_applicant,
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-valid_until", "-id"]
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

    @transition(
        field=state,
        source=State.ACTIVE,
        target=State.SUSPENDED,
        permission=is_secretariat_for_accreditation,
        custom={"label": "Suspend"},
    )
    def suspend(self):
        pass

    @transition(
        field=state,
        source=State.SUSPENDED,
        target=State.ACTIVE,
        permission=is_secretariat_for_accreditation,
        conditions=[conditions.within_validity],
        custom={"label": "Reinstate"},
    )
    def reinstate(self):
        pass

    @transition(
        field=state,
        source=[State.ACTIVE, State.SUSPENDED],
        target=State.REVOKED,
        permission=is_secretariat_for_accreditation,
        custom={"label": "Revoke"},
    )
    def revoke(self):
        pass

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

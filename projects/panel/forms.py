from django import forms

from govuk.forms import GovukDateInput
from projects.models import Recommendation

SCORE_CHOICES = [
    (1, "1 (very weak)"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5 (very strong)"),
]


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        from projects.panel.selectors import user_organisation

        organisation = user_organisation(user) or "organisation not recorded"
        return f"{user.get_full_name() or user.email}, {organisation}"


class AssignForm(forms.Form):
    reviewer = ReviewerChoiceField(
        label="Reviewer",
        queryset=None,
        empty_label="Choose a reviewer",
        help_text="Panel reviewers with their organisations. Reviewers on the project's team, "
        "and any who declared a conflict of interest in this proposal, are not listed.",
        error_messages={
            "required": "Choose a reviewer",
            "invalid_choice": "Choose a reviewer from the list",
        },
    )
    independent = forms.BooleanField(
        label="This reviewer is an independent member of the panel", required=False
    )
    due_date = forms.DateField(
        label="Review due by (optional)",
        help_text="For example, 27 3 2027",
        required=False,
        widget=GovukDateInput,
        error_messages={"invalid": "The due date must be a real date"},
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers


class UnassignForm(forms.Form):
    reason = forms.CharField(
        label="Why are you unassigning this reviewer?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why the reviewer is being unassigned"},
    )


class ExclusionForm(forms.Form):
    exclude_team_organisations = forms.BooleanField(
        label="Nobody from a team member's organisation may review this proposal",
        required=False,
    )


class ConflictForm(forms.Form):
    conflict = forms.TypedChoiceField(
        label="Do you have a conflict of interest in this proposal?",
        help_text="For example, you work with a member of the team, at their organisation, or "
        "stand to gain from the project.",
        choices=[("no", "No"), ("yes", "Yes")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you have a conflict of interest"},
    )
    details = forms.CharField(
        label="Describe your conflict of interest (if you have one)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("conflict") and not (cleaned.get("details") or "").strip():
            self.add_error("details", "Describe your conflict of interest")
        return cleaned


def _score(label):
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": f"Give a score for {label.lower()}"},
    )


class RecommendationForm(forms.Form):
    recommendation = forms.ChoiceField(
        label="Your recommendation",
        choices=Recommendation.Choice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select your recommendation"},
    )
    score_public_benefit = _score("Public benefit")
    score_analytical_merit = _score("Analytical merit")
    score_feasibility = _score("Feasibility")
    score_privacy_risk_mitigation = _score("Privacy risk mitigation")
    score_ethics = _score("Ethics")
    comments = forms.CharField(
        label="Comments for the panel",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    suggested_conditions = forms.CharField(
        label="Conditions you suggest (if you recommend approval with conditions)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("recommendation") == Recommendation.Choice.APPROVE_WITH_CONDITIONS and not (
            (cleaned.get("suggested_conditions") or "").strip()
        ):
            self.add_error("suggested_conditions", "Enter the conditions you suggest for approval")
        return cleaned


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="The panel's decision",
        choices=[
            ("approve", "Approve"),
            ("approve_with_conditions", "Approve with conditions"),
            ("return", "Return to the co-ordinator for changes"),
            ("reject", "Reject"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the panel's decision"},
    )
    rationale = forms.CharField(
        label="Rationale",
        help_text="The co-ordinator will see this.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the rationale for the decision"},
    )
    conditions = forms.CharField(
        label="Conditions of approval (if approving with conditions)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == "approve_with_conditions" and not (
            (cleaned.get("conditions") or "").strip()
        ):
            self.add_error("conditions", "Enter the conditions of approval")
        return cleaned

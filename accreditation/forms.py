from django import forms
from django.conf import settings

from .conditions import screening_checks_needed
from .levels import Level


class ApplicationForm(forms.Form):
    """The applicant's choices: the route, a supervisor for provisional, and two commitments."""

    kind = forms.ChoiceField(
        label="Which accreditation are you applying for?",
        choices=[
            (
                Level.FULL,
                "Full accreditation: I have a degree with substantial quantitative content at "
                "2:2 or better, or at least "
                f"{settings.ACCREDITATION_FULL_EXPERIENCE_YEARS} years' quantitative research "
                "experience",
            ),
            (
                Level.PROVISIONAL,
                "Provisional accreditation: I will work under a fully accredited supervisor "
                "from my organisation",
            ),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select full or provisional accreditation"},
    )
    supervisor_email = forms.EmailField(
        label="Your supervisor's email address (provisional accreditation only)",
        help_text="The email address they use to sign in to this service. We will ask them to "
        "confirm that they will supervise you.",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    register_consent = forms.BooleanField(
        label="I agree to my name, organisation and accreditation appearing on the public "
        "register of accredited researchers",
        required=False,
    )
    publish_commitment = forms.BooleanField(
        label="I commit to publishing the results of my research",
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        missing = not cleaned.get("supervisor_email") and "supervisor_email" not in self.errors
        if cleaned.get("kind") == Level.PROVISIONAL and missing:
            self.add_error(
                "supervisor_email",
                "Enter your supervisor's email address for provisional accreditation",
            )
        return cleaned


class ScreeningForm(forms.Form):
    checks = forms.MultipleChoiceField(
        label="Screening checks",
        help_text="Tick each check you have made.",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checks"].choices = screening_checks_needed(application)


class ReturnForm(forms.Form):
    comments = forms.CharField(
        label="What the applicant needs to change",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter what the applicant needs to change"},
    )


class ApproveForm(forms.Form):
    level = forms.ChoiceField(
        label="Level of accreditation",
        choices=Level.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select full or provisional accreditation"},
    )
    reasons = forms.CharField(
        label="Note for the applicant (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ReasonsForm(forms.Form):
    """Reasons for a rejection, suspension or revocation: required, and shown to the person."""

    reasons = forms.CharField(
        label="Reasons",
        help_text="The researcher will see these reasons.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, required_message="Enter the reasons", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reasons"].error_messages["required"] = required_message


class OptionalReasonsForm(forms.Form):
    reasons = forms.CharField(
        label="Note for the researcher (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

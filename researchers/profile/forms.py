"""Question pages of the researcher profile. Files are checked by content before any service
sees them, so a refused file stores nothing."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from govuk.forms import GovukDateInput
from researchers.models import Organisation, Qualification
from researchers.orcid import normalise_orcid
from researchers.profile.selectors import organisations_approved
from uploads.kinds import describe
from uploads.validators import validate_upload

EVIDENCE_KINDS = ("pdf", "png", "jpeg")

Level = Qualification.Level
Classification = Qualification.Classification

# What each level is classed as, in the order people expect to read them.
CLASSIFICATIONS_FOR_LEVEL = {
    Level.BACHELOR: [
        Classification.FIRST,
        Classification.UPPER_SECOND,
        Classification.LOWER_SECOND,
        Classification.THIRD,
        Classification.PASS,
    ],
    Level.MASTER: [Classification.DISTINCTION, Classification.MERIT, Classification.PASS],
    Level.DOCTORATE: [Classification.PASS],
    Level.OTHER: list(Classification),
}

YES_NO = [("yes", "Yes"), ("no", "No")]


def _upload_hint():
    limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    kinds = describe(EVIDENCE_KINDS)
    return f"{kinds[0].upper()}{kinds[1:]}, smaller than {limit}MB"


class UploadField(forms.FileField):
    """A file checked by its content; ``cleaned_data`` holds a ValidatedUpload or None."""

    widget = forms.FileInput

    def __init__(self, *, allowed, **kwargs):
        self.allowed = set(allowed)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        data = super().clean(data, initial=None)
        if not data:
            return None
        return validate_upload(data, allowed=self.allowed, max_bytes=settings.UPLOAD_MAX_BYTES)


def _text(label, *, required=True, max_length=200, help_text="", error=None, **attrs):
    messages = {"max_length": f"{label} must be {max_length} characters or fewer"}
    if error:
        messages["required"] = error
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        error_messages=messages,
        widget=forms.TextInput(attrs=attrs) if attrs else forms.TextInput,
    )


class ProfileForm(forms.Form):
    full_name = _text(
        "Full name",
        help_text="As it appears on your qualifications and in your organisation",
        error="Enter your full name",
        autocomplete="name",
        spellcheck="false",
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Choose your organisation",
        help_text="The organisation you will do your research for",
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )
    proposed_organisation = _text(
        "If your organisation is not listed, enter its full name",
        required=False,
        help_text="The secretariat will check it and add it to the list",
    )
    orcid = forms.CharField(
        label="ORCID iD (optional)",
        required=False,
        max_length=60,
        help_text="16 characters, like 0000-0002-1825-0097. You can paste your ORCID web address",
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "govuk-input--width-20"}),
    )
    job_title = _text("Job title", error="Enter your job title", autocomplete="organization-title")
    phone = forms.CharField(
        label="Work telephone number (optional)",
        required=False,
        max_length=40,
        help_text="For international numbers include the country code",
        error_messages={"max_length": "Telephone number must be 40 characters or fewer"},
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "class": "govuk-input--width-20"}
        ),
    )
    contact_email = forms.EmailField(
        label="Work email address",
        required=False,
        help_text=(
            "Where we write to you about your accreditation. You need a work email address, a "
            "work address or both: give the work address below if you leave this empty"
        ),
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.ac.uk"
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    work_address = forms.CharField(
        label="Work address",
        required=False,
        max_length=1000,
        help_text="You need this if you did not give a work email address",
        error_messages={"max_length": "Work address must be 1000 characters or fewer"},
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
    )

    def __init__(self, *args, current_organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = organisations_approved()
        if current_organisation is not None and not current_organisation.is_approved:
            # A researcher keeps the organisation they proposed while it awaits approval.
            queryset = Organisation.objects.filter(
                pk__in=[*queryset.values_list("pk", flat=True), current_organisation.pk]
            ).order_by("name")
        self.fields["organisation"].queryset = queryset
        self.fields["organisation"].label_from_instance = _organisation_label

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_orcid(self):
        value = self.cleaned_data["orcid"].strip()
        return normalise_orcid(value) if value else ""

    def clean_proposed_organisation(self):
        return " ".join(self.cleaned_data["proposed_organisation"].split())

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("organisation")
        proposed = cleaned.get("proposed_organisation")
        if "organisation" in cleaned and not chosen and not proposed:
            self.add_error(
                "organisation",
                "Choose your organisation, or enter its name if it is not listed",
            )
        if chosen and proposed:
            self.add_error(
                "proposed_organisation",
                "Either choose your organisation from the list or enter a new one, not both",
            )
        has_contact = cleaned.get("contact_email") or cleaned.get("work_address", "").strip()
        if "contact_email" in cleaned and not has_contact:
            self.add_error("contact_email", "Enter a work email address or a work address")
        return cleaned


def _organisation_label(organisation):
    if organisation.is_approved:
        return organisation.name
    return f"{organisation.name} (awaiting approval)"


class QualificationKindForm(forms.Form):
    kind = forms.ChoiceField(
        label="What do you want to add?",
        choices=[
            (Qualification.Kind.DEGREE, "A degree"),
            (Qualification.Kind.EXPERIENCE, "Years of quantitative research experience"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a degree or research experience"},
    )


class DegreeForm(forms.Form):
    level = forms.ChoiceField(
        label="Level",
        choices=Level.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the level of your degree"},
    )
    subject = _text("Subject", error="Enter the subject of your degree")
    institution = _text(
        "University or awarding body", error="Enter the university or awarding body"
    )
    classification = forms.ChoiceField(
        label="Classification or result",
        choices=Classification.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Bachelor's degrees: first, 2:1, 2:2, third or pass. Master's degrees: "
            "distinction, merit or pass. Doctorates: pass"
        ),
        error_messages={"required": "Select the classification or result of your degree"},
    )
    quantitative = forms.ChoiceField(
        label="Did the degree have substantial quantitative content?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="For example statistics, econometrics or data analysis modules",
        error_messages={
            "required": "Select yes if the degree had substantial quantitative content"
        },
    )
    evidence = UploadField(
        allowed=EVIDENCE_KINDS,
        label="Upload your degree certificate or transcript",
        required=False,
        error_messages={"required": "Select your degree certificate or transcript"},
    )

    def __init__(self, *args, has_evidence=False, **kwargs):
        super().__init__(*args, **kwargs)
        evidence = self.fields["evidence"]
        evidence.required = not has_evidence
        evidence.help_text = _upload_hint() + (
            ". Leave empty to keep the file you uploaded before" if has_evidence else ""
        )

    def clean(self):
        cleaned = super().clean()
        level = cleaned.get("level")
        classification = cleaned.get("classification")
        if level and classification and classification not in CLASSIFICATIONS_FOR_LEVEL[level]:
            allowed = ", ".join(
                Classification(c).label.lower() for c in CLASSIFICATIONS_FOR_LEVEL[level]
            )
            self.add_error(
                "classification",
                f"Select a result a {Level(level).label.lower()} can have: {allowed}",
            )
        return cleaned

    def details(self):
        data = dict(self.cleaned_data)
        data["quantitative"] = data["quantitative"] == "yes"
        return data

    @classmethod
    def initial_from(cls, qualification):
        return {
            "level": qualification.level,
            "subject": qualification.subject,
            "institution": qualification.institution,
            "classification": qualification.classification,
            "quantitative": "yes" if qualification.quantitative else "no",
        }


class ExperienceForm(forms.Form):
    years = forms.IntegerField(
        label="Years of quantitative research experience",
        min_value=0,
        max_value=60,
        help_text="Whole years. Count only work where you analysed data quantitatively",
        error_messages={
            "required": "Enter your years of quantitative research experience",
            "invalid": "Years of experience must be a whole number, like 4",
            "min_value": "Years of experience must be 0 or more",
            "max_value": "Years of experience must be 60 or fewer",
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input--width-3", "spellcheck": "false"}
        ),
    )
    description = forms.CharField(
        label="Describe your experience",
        max_length=5000,
        help_text="Where you worked, the data you used and the methods you applied",
        error_messages={
            "required": "Describe your quantitative research experience",
            "max_length": "Description must be 5000 characters or fewer",
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    evidence = UploadField(
        allowed=EVIDENCE_KINDS,
        label="Upload evidence of your experience (optional)",
        required=False,
    )

    def __init__(self, *args, has_evidence=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = (
            "For example a letter from your employer or a list of publications. "
            + _upload_hint()
            + (". Leave empty to keep the file you uploaded before" if has_evidence else "")
        )

    def details(self):
        return dict(self.cleaned_data)

    @classmethod
    def initial_from(cls, qualification):
        return {"years": qualification.years, "description": qualification.description}


class TrainingForm(forms.Form):
    course = _text(
        "Course name",
        error="Enter the name of the course",
        help_text="As it appears on your certificate, for example Safe Researcher Training",
    )
    passed_on = forms.DateField(
        label="Date you passed",
        widget=GovukDateInput,
        help_text="For example, 27 3 2024",
        error_messages={
            "required": "Enter the date you passed",
            "invalid": "Date you passed must be a real date",
        },
    )
    certificate = UploadField(
        allowed=EVIDENCE_KINDS,
        label="Upload your certificate",
        error_messages={"required": "Select your certificate"},
    )

    def __init__(self, *args, has_certificate=False, **kwargs):
        super().__init__(*args, **kwargs)
        certificate = self.fields["certificate"]
        certificate.required = not has_certificate
        certificate.help_text = _upload_hint() + (
            ". Leave empty to keep the certificate you uploaded before" if has_certificate else ""
        )

    def clean_passed_on(self):
        passed_on = self.cleaned_data["passed_on"]
        if passed_on > timezone.localdate():
            raise ValidationError("Date you passed must be today or in the past")
        return passed_on


class OrganisationForm(forms.Form):
    name = _text("Organisation name", error="Enter the organisation's name")


class OrganisationDecisionForm(forms.Form):
    APPROVE = "approve"
    MERGE = "merge"
    REJECT = "reject"

    decision = forms.ChoiceField(
        label="What do you want to do?",
        choices=[
            (APPROVE, "Add it to the list"),
            (MERGE, "It is another name for a listed organisation: merge it"),
            (REJECT, "Reject it"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what to do with this organisation"},
    )
    name = _text(
        "Name to list it under",
        required=False,
        help_text="When adding it. Correct the spelling if needed",
    )
    into = forms.ModelChoiceField(
        label="Listed organisation to merge it into",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Choose an organisation",
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )
    reason = forms.CharField(
        label="Reason for rejecting",
        required=False,
        max_length=1000,
        help_text="The researchers who named it will be asked to choose again",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = organisations_approved().exclude(pk=organisation.pk)

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == self.MERGE and not cleaned.get("into"):
            self.add_error("into", "Choose the listed organisation to merge it into")
        if decision == self.REJECT and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter the reason for rejecting it")
        return cleaned

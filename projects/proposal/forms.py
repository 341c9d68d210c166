from django import forms
from django.conf import settings

from govuk.forms import GovukDateInput
from legislation.access_modes import AccessMode
from projects.conditions import ETHICS_QUESTIONS
from projects.models import EthicsAnswer, EthicsQuestion, Purpose
from researchers.profile.forms import UploadField

DPIA_KINDS = ("pdf",)
LONG_TEXT = 10000


def _text(label, *, error, help_text="", long=True, max_length=None, rows=6):
    max_length = max_length or (LONG_TEXT if long else 255)
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}) if long else forms.TextInput(),
        error_messages={
            "required": error,
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
    )


class ProposalStartForm(forms.Form):
    title = _text(
        "Project title",
        error="Enter the project's title",
        long=False,
        help_text="A short title the public can understand. It appears on the public register "
        "if the project is approved.",
    )


class TitleForm(forms.Form):
    title = ProposalStartForm.base_fields["title"]
    lay_summary = _text(
        "Lay summary",
        error="Enter a lay summary of the project",
        help_text="Explain what the project will do and why, in plain English for the public.",
    )


class PurposesForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label="Which public-good purposes will the project serve?",
        help_text="Select all that apply.",
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one public-good purpose"},
    )
    purpose_explanation = _text(
        "How will the project serve these purposes?",
        error="Explain how the project will serve the purposes you selected",
    )


class MethodsForm(forms.Form):
    aims = _text("Aims", error="Enter the project's aims")
    methods = _text(
        "Methods",
        error="Describe the project's methods",
        help_text="The analysis you will carry out and how you will make sure it is sound.",
    )
    software = _text(
        "Software",
        error="Enter the software the project will use",
        long=False,
        help_text="For example, R 4.4 and Stata 18.",
    )


class DatesForm(forms.Form):
    start_date = forms.DateField(
        label="Start date",
        help_text="For example, 1 4 2027",
        widget=GovukDateInput,
        error_messages={
            "required": "Enter the project's start date",
            "invalid": "Start date must be a real date",
        },
    )
    end_date = forms.DateField(
        label="End date",
        help_text="For example, 31 3 2029",
        widget=GovukDateInput,
        error_messages={
            "required": "Enter the project's end date",
            "invalid": "End date must be a real date",
        },
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The end date must be after the start date")
        return cleaned


class DatasetRequestForm(forms.Form):
    dataset = forms.ModelChoiceField(
        label="Dataset",
        queryset=None,
        empty_label="Choose a dataset",
        error_messages={
            "required": "Choose a dataset from the catalogue",
            "invalid_choice": "Choose a dataset from the catalogue",
        },
    )
    variables = _text(
        "Which variables do you need?",
        error="Enter the variables you need",
        help_text="Ask only for the variables the project needs.",
        rows=4,
    )
    open_data_reason = _text(
        "Why can openly available data not be used instead?",
        error="Enter why openly available data cannot be used",
        rows=4,
    )

    def __init__(self, *args, datasets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets
        self.fields["dataset"].label_from_instance = lambda dataset: (
            f"{dataset.name} ({dataset.department.short_name})"
        )


ETHICS_LABELS = {
    EthicsQuestion.PUBLIC_GOOD: "Will the project serve the public good, and will its benefits "
    "outweigh any risks?",
    EthicsQuestion.CONFIDENTIALITY: "Will the confidentiality of the people and organisations in "
    "the data be protected throughout?",
    EthicsQuestion.METHODS_QUALITY: "Are the methods sound, and will the quality of the results be "
    "checked?",
    EthicsQuestion.LEGAL_COMPLIANCE: "Does the project comply with data protection and the other "
    "law that applies?",
    EthicsQuestion.PUBLIC_VIEWS: "Have the views of the public, or of the people the data is "
    "about, been considered?",
}


class EthicsForm(forms.Form):
    """One yes / no / partly question per ethics principle, each with details."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in ETHICS_QUESTIONS:
            label = ETHICS_LABELS[question]
            self.fields[f"{question}_answer"] = forms.ChoiceField(
                label=label,
                choices=EthicsAnswer.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Select yes, no or partly for "
                    f"{EthicsQuestion(question).label.lower()}",
                },
            )
            self.fields[f"{question}_details"] = forms.CharField(
                label=f"{EthicsQuestion(question).label}: details",
                help_text="Required when your answer is no or partly.",
                required=False,
                max_length=LONG_TEXT,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    @staticmethod
    def initial_from(ethics):
        initial = {}
        for question in ETHICS_QUESTIONS:
            entry = (ethics or {}).get(question) or {}
            initial[f"{question}_answer"] = entry.get("answer")
            initial[f"{question}_details"] = entry.get("details", "")
        return initial

    def clean(self):
        cleaned = super().clean()
        for question in ETHICS_QUESTIONS:
            answer = cleaned.get(f"{question}_answer")
            details = (cleaned.get(f"{question}_details") or "").strip()
            if answer in (EthicsAnswer.NO, EthicsAnswer.PARTLY) and not details:
                self.add_error(
                    f"{question}_details",
                    f"Explain your answer on {EthicsQuestion(question).label.lower()}",
                )
        return cleaned

    def ethics(self):
        return {
            question: {
                "answer": self.cleaned_data[f"{question}_answer"],
                "details": (self.cleaned_data.get(f"{question}_details") or "").strip(),
            }
            for question in ETHICS_QUESTIONS
        }


class DpiaForm(forms.Form):
    dpia_needed = forms.TypedChoiceField(
        label="Does the project need a data protection impact assessment (DPIA)?",
        help_text="A DPIA is needed when processing is likely to result in a high risk to "
        "people's rights and freedoms.",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the project needs a DPIA"},
    )
    dpia_file = UploadField(
        label="Upload the DPIA (if needed)",
        help_text="A PDF, smaller than the upload limit.",
        allowed=DPIA_KINDS,
        required=False,
    )

    def __init__(self, *args, has_file=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_file = has_file
        limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        self.fields["dpia_file"].help_text = f"A PDF, smaller than {limit} MB." + (
            " A DPIA is already uploaded: choose a file only to replace it." if has_file else ""
        )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("dpia_needed") is True
            and not cleaned.get("dpia_file")
            and not self.has_file
            and "dpia_file" not in self.errors
        ):
            self.add_error("dpia_file", "Upload the DPIA")
        return cleaned


class AccessForm(forms.Form):
    access_mode = forms.ChoiceField(
        label="How will the team access the data?",
        choices=AccessMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the team will access the data"},
    )


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address of the person to invite",
        help_text="We will email them a link to accept or decline. They must hold active "
        "accreditation before the proposal can be sent.",
        error_messages={
            "required": "Enter the email address of the person to invite",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class OutputsForm(forms.Form):
    outputs_plan = _text(
        "What outputs will the project produce?",
        error="Describe the outputs the project will produce",
        help_text="For example, tables, charts and models. Every output is checked for "
        "disclosure before it leaves the secure environment.",
    )
    publication_plan = _text(
        "How will the results be published?",
        error="Describe how the results will be published",
    )

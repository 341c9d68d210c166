"""Forms for writing an output request. Services do the real checks (content, size, state);
these forms only say what is missing."""

from django import forms

from outputs.models import OutputType
from outputs.request.services import (
    DEGREES_OF_FREEDOM_MAX,
    DEGREES_OF_FREEDOM_RANGE,
    group_name_problem,
)


class RequestStartForm(forms.Form):
    title = forms.CharField(
        label="Short description",
        max_length=200,
        help_text="For example, “Tables and figures for the regional earnings paper”.",
        error_messages={"required": "Enter a short description of the outputs"},
    )


def _group_name_validate(name):
    problem = group_name_problem(name)
    if problem:
        raise forms.ValidationError(problem, code="group_name")


class GroupForm(forms.Form):
    name = forms.CharField(
        label="Group name",
        max_length=200,
        validators=[_group_name_validate],
        error_messages={"required": "Enter a name for the group"},
    )
    context = forms.CharField(
        label="Context",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the files show, the population and the period. Needed to submit.",
    )
    disclosure_controls = forms.CharField(
        label="Disclosure controls applied",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, cells under 10 suppressed or rounding. Needed to submit.",
    )


class FileForm(forms.Form):
    output_type = forms.ChoiceField(
        label="Type of output",
        choices=OutputType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of output"},
    )
    file = forms.FileField(
        label="File",
        help_text="CSV, XLSX, PNG, SVG, PDF or plain text.",
        error_messages={"required": "Select a file"},
    )
    counts_file = forms.ModelChoiceField(
        label="Counts behind a magnitude table",
        queryset=None,
        required=False,
        empty_label="None chosen",
        help_text="For a magnitude table only: choose a file already in this request, or upload "
        "the counts below.",
    )
    counts_upload = forms.FileField(
        label="Upload the counts", required=False, help_text="For a magnitude table only."
    )
    degrees_of_freedom = forms.IntegerField(
        label="Residual degrees of freedom",
        required=False,
        min_value=0,
        max_value=DEGREES_OF_FREEDOM_MAX,
        help_text="For a regression, where you know it.",
        error_messages={
            "invalid": DEGREES_OF_FREEDOM_RANGE,
            "min_value": DEGREES_OF_FREEDOM_RANGE,
            "max_value": DEGREES_OF_FREEDOM_RANGE,
        },
    )

    def __init__(self, *args, files_in_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counts_file"].queryset = files_in_request


class ReplaceForm(forms.Form):
    file = forms.FileField(
        label="New version of the file",
        help_text="CSV, XLSX, PNG, SVG, PDF or plain text.",
        error_messages={"required": "Select a file"},
    )

from django import forms
from django.utils import timezone

from govuk.forms import ModelMultipleIdChoiceField

from .access_modes import AccessMode
from .models import Act, Dataset, Department, Governs

# Magna Carta (1297 confirmation) is among the oldest statutes still in force.
EARLIEST_YEAR = 1200
SLUG_INVALID = "Web address name can only use letters, numbers, hyphens and underscores"


class ActForm(forms.ModelForm):
    governs = forms.MultipleChoiceField(
        label="What it governs",
        help_text="Select all that apply.",
        choices=Governs.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one thing the act governs"},
    )
    official_url = forms.URLField(
        label="Link to the official text (optional)",
        help_text="The act's page on legislation.gov.uk.",
        required=False,
        max_length=300,
        assume_scheme="https",
        error_messages={"invalid": "Enter a full web address, starting https://"},
    )

    class Meta:
        model = Act
        fields = ["title", "slug", "year", "governs", "summary", "official_url"]
        labels = {
            "title": "Title",
            "slug": "Web address name",
            "year": "Year",
            "summary": "Summary",
        }
        help_texts = {
            "title": "As it is cited, for example Statistics and Registration Service Act 2007.",
            "slug": "Lowercase letters, numbers and hyphens, used in the page's address.",
            "summary": "Two to four sentences, in our own words, on what it means for the scheme.",
        }
        error_messages = {
            "title": {
                "required": "Enter the act's title",
                "unique": "An act with this title already exists",
            },
            "slug": {
                "required": "Enter a web address name",
                "unique": "Another act already uses this web address name",
                "invalid": SLUG_INVALID,
            },
            "year": {"required": "Enter the year", "invalid": "Year must be a number"},
            "summary": {"required": "Enter a summary"},
        }
        widgets = {
            "year": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}
            ),
            "summary": forms.Textarea(attrs={"rows": 5}),
        }

    def clean_year(self):
        year = self.cleaned_data["year"]
        this_year = timezone.localdate().year
        if not EARLIEST_YEAR <= year <= this_year:
            raise forms.ValidationError(
                "Year must be between %(earliest)s and %(latest)s",
                params={"earliest": EARLIEST_YEAR, "latest": this_year},
            )
        return year


class DatasetForm(forms.ModelForm):
    department = forms.ModelChoiceField(
        label="Owning department",
        queryset=Department.objects.order_by("name"),
        empty_label="Choose a department",
        error_messages={"required": "Select the department that owns the data"},
    )
    acts = ModelMultipleIdChoiceField(
        label="Legal gateways",
        help_text="The legislation under which the data is held. Select all that apply.",
        queryset=Act.objects.order_by("title"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one act under which the data is held"},
    )
    consent_required = forms.TypedChoiceField(
        label="Does onward access need the owning department's consent?",
        help_text="For example, data received from HMRC.",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if onward access needs the department's consent"},
    )
    access_mode = forms.ChoiceField(
        label="Required access mode",
        help_text="The least strict setting in which researchers may use the data.",
        choices=AccessMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the access mode the data requires"},
    )

    class Meta:
        model = Dataset
        fields = [
            "name",
            "slug",
            "description",
            "department",
            "acts",
            "consent_required",
            "access_mode",
        ]
        labels = {"name": "Name", "slug": "Web address name", "description": "Description"}
        help_texts = {
            "slug": "Lowercase letters, numbers and hyphens, used in the page's address.",
        }
        error_messages = {
            "name": {
                "required": "Enter the dataset's name",
                "unique": "A dataset with this name already exists",
            },
            "slug": {
                "required": "Enter a web address name",
                "unique": "Another dataset already uses this web address name",
                "invalid": SLUG_INVALID,
            },
            "description": {"required": "Enter a description"},
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.initial["consent_required"] = "yes" if self.instance.consent_required else "no"

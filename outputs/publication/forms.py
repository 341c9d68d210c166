import re

from django import forms

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")


def doi_normalise(value):
    """A DOI as ``10.xxxx/...``, whether typed bare, as ``doi:...`` or as a doi.org link."""
    value = (value or "").strip()
    for prefix in DOI_PREFIXES:
        if value.lower().startswith(prefix):
            return value[len(prefix) :].strip()
    return value


class PublicationForm(forms.Form):
    citation = forms.CharField(
        label="Citation",
        help_text="The full reference, for example authors, year, title and journal",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the citation"},
    )
    doi = forms.CharField(
        label="DOI (optional if you give a web address)",
        help_text="For example, 10.1234/abcd.5678",
        required=False,
        max_length=200,
    )
    url = forms.URLField(
        label="Web address (optional if you give a DOI)",
        help_text="For example, https://www.example.org/report",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a web address in the correct format, like https://www.example.org/report"
        },
    )

    def clean_doi(self):
        doi = doi_normalise(self.cleaned_data.get("doi"))
        if doi and not DOI_PATTERN.match(doi):
            raise forms.ValidationError("Enter a DOI in the correct format, like 10.1234/abcd.5678")
        return doi

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("doi") and not cleaned.get("url"):
            self.add_error("doi", "Enter a DOI or a web address where the output was published")
        return cleaned


class WaiverForm(forms.Form):
    reasons = forms.CharField(
        label="Why may this project close without publishing its released outputs?",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the reasons for the waiver"},
    )

"""The public check of a release record: its file uploaded, or its signed copy pasted."""

from django import forms
from django.template.defaultfilters import filesizeformat

# A record lists every file of a request; far more than any real one needs.
RECORD_MAX_BYTES = 5 * 1024 * 1024
TOO_LARGE = f"must be smaller than {filesizeformat(RECORD_MAX_BYTES)}"


class ReleaseRecordCheckForm(forms.Form):
    file = forms.FileField(
        label="Upload the release record",
        required=False,
        help_text=(
            "release-record.jws (the signed record) or release-record.json, from the released "
            "zip or the output request's page."
        ),
        error_messages={"empty": "The selected file is empty"},
    )
    signed = forms.CharField(
        label="Or paste the signed record",
        required=False,
        strip=True,
        max_length=RECORD_MAX_BYTES,
        help_text="The contents of release-record.jws: three long parts separated by full stops.",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        error_messages={"max_length": f"The signed record {TOO_LARGE}"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and upload.size > RECORD_MAX_BYTES:
            raise forms.ValidationError(f"The selected file {TOO_LARGE}")
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("file") and not cleaned.get("signed"):
            self.add_error("file", "Upload a release record, or paste its signed copy below")
        return cleaned

    def record(self) -> bytes:
        """The record as given: the uploaded file's bytes, or the pasted text."""
        upload = self.cleaned_data.get("file")
        if upload:
            upload.seek(0)
            return upload.read()
        return self.cleaned_data["signed"].encode("utf-8")

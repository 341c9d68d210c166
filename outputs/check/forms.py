from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat


class AcroUploadForm(forms.Form):
    zip_file = forms.FileField(
        label="Upload an ACRO output folder",
        help_text="A zip of the folder ACRO wrote when you finalised your session, with its "
        "results.json and checksums.",
        error_messages={"required": "Select a zip file", "empty": "The selected file is empty"},
    )

    def clean_zip_file(self):
        upload = self.cleaned_data["zip_file"]
        limit = settings.ACRO_ZIP_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                "The selected file must be smaller than "
                + filesizeformat(limit).replace("\xa0", " ")
            )
        return upload

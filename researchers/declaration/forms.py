from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from govuk.forms import GovukDateInput


class DeclarationSignForm(forms.Form):
    typed_name = forms.CharField(
        label="Your full name",
        max_length=200,
        help_text="Type your full name as it is on your account.",
        error_messages={"required": "Enter your full name"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    agree = forms.BooleanField(
        label="I have read this declaration and I agree to keep to it",
        error_messages={"required": "Confirm that you have read and agree to the declaration"},
    )
    password = forms.CharField(
        label="Your password",
        help_text="Enter your password again to sign.",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


SIGN_BY_HELP = (
    "Until the end of this day a signature on an earlier version still gives access to data; "
    "after it, those who have not signed the new version lose access until they do. "
    "For example, 27 3 2027"
)


def _sign_by_field(*, label, version):
    return forms.DateField(
        label=label,
        help_text=SIGN_BY_HELP,
        widget=GovukDateInput,
        error_messages={
            "required": f"Enter the date by which everyone must sign the {version} version",
            "invalid": "The date to sign by must be a real date",
        },
    )


class DeclarationVersionForm(forms.Form):
    text = forms.CharField(
        label="Text of the new version",
        help_text="Researchers sign this wording from now on. Those who signed an earlier "
        "version keep it.",
        error_messages={"required": "Enter the text of the declaration"},
        widget=forms.Textarea(attrs={"rows": 20}),
    )
    sign_by = _sign_by_field(label="Everyone must sign it by", version="new")


class SignByForm(forms.Form):
    sign_by = _sign_by_field(label="New date to sign by", version="current")


class DeclarationUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a signed declaration",
        help_text="The PDF file of the declaration, as downloaded from this service.",
        error_messages={"required": "Select a PDF file", "empty": "The selected file is empty"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.DECLARATION_VERIFY_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The selected file must be smaller than {filesizeformat(limit)}"
            )
        head = upload.read(1024)
        upload.seek(0)
        if b"%PDF-" not in head:
            raise forms.ValidationError("The selected file must be a PDF")
        return upload


class DeclarationReferenceForm(forms.Form):
    reference = forms.CharField(
        label="Declaration reference",
        max_length=40,
        help_text="For example, ARS-DEC-7K3Q-9M2P. It is printed at the top of the declaration.",
        error_messages={"required": "Enter the declaration reference"},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def clean_reference(self):
        from researchers.declaration.models import reference_normalise

        reference = reference_normalise(self.cleaned_data["reference"])
        if not reference:
            raise forms.ValidationError(
                "Enter the reference as it is printed on the declaration, like ARS-DEC-7K3Q-9M2P"
            )
        return reference

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from identity.roles import Role


class SignupForm(AllauthSignupForm):
    """Registration asks for the name the register and panel will know the researcher by."""

    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        help_text="As it appears on your qualifications and in your organisation",
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your full name",
            "max_length": "Full name must be 200 characters or fewer",
        },
    )
    field_order = ["full_name", "email", "password1", "password2"]

    # allauth's fields all say "This field is required."; the error summary must say which.
    REQUIRED = {
        "email": "Enter your email address",
        "password1": "Enter a password",
        "password2": "Enter the password again",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in self.REQUIRED.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())


class PersonRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Staff roles (panel reviewer, output checker, data owner, secretariat) must set up "
            "two-factor authentication before they can open any page"
        ),
    )

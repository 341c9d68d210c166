from django import forms


class ConsentForm(forms.Form):
    """A data owner's answer for one requested dataset."""

    answer = forms.ChoiceField(
        label="Does your department consent to this use of the dataset?",
        choices=[("give", "Yes, give consent"), ("refuse", "No, refuse consent")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether your department consents"},
    )
    reasons = forms.CharField(
        label="Reasons",
        help_text="Required when refusing. The project's co-ordinator and the secretariat will "
        "see them.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == "refuse" and not (cleaned.get("reasons") or "").strip():
            self.add_error("reasons", "Enter the reasons for refusing consent")
        return cleaned


class RepresentativeForm(forms.Form):
    """Which data owner speaks for which department."""

    user = forms.ModelChoiceField(
        label="Data owner",
        queryset=None,
        empty_label="Choose a data owner",
        error_messages={"required": "Choose a data owner"},
    )
    department = forms.ModelChoiceField(
        label="Department",
        queryset=None,
        empty_label="Choose a department",
        error_messages={"required": "Choose a department"},
    )

    def __init__(self, *args, users, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["user"].label_from_instance = lambda user: (
            f"{user.get_full_name()} ({user.email})" if user.get_full_name() else user.email
        )
        self.fields["department"].queryset = departments

from django import forms

from .services import ERASE, REASON_MOST, REFUSE


class ErasureAskForm(forms.Form):
    reason = forms.CharField(
        label="Why do you want your data erased? (optional)",
        help_text="You do not have to say. It helps us answer.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_MOST,
        required=False,
        error_messages={"max_length": f"Enter at most {REASON_MOST:,} characters"},
    )


class ErasureDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="What is your decision?",
        choices=[
            (ERASE, "Erase everything the schedule and legal holds do not require us to keep"),
            (REFUSE, "Refuse the request"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to erase or refuse"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Required when anything is kept, or the request is refused. The person is "
        "told this in our answer.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_MOST,
        required=False,
        error_messages={"max_length": f"Enter at most {REASON_MOST:,} characters"},
    )

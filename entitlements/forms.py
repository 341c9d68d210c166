from django import forms

from .models import Scope
from .services import TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MOST


class ApiTokenForm(forms.Form):
    account_name = forms.CharField(
        label="Which system is the token for?",
        help_text="A name people will recognise in the audit trail, like “Secure environment”.",
        max_length=100,
        error_messages={"required": "Enter the name of the system the token is for"},
    )
    scopes = forms.MultipleChoiceField(
        label="What may it read?",
        help_text="Select all that apply.",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select what the token may read"},
    )
    days = forms.IntegerField(
        label="How many days should it last?",
        help_text=f"At most {TOKEN_DAYS_MOST}. Issue a new token before this one runs out.",
        initial=TOKEN_DAYS_DEFAULT,
        min_value=1,
        max_value=TOKEN_DAYS_MOST,
        error_messages={
            "required": "Enter how many days the token should last",
            "invalid": "Enter the number of days as a whole number, like 365",
            "min_value": "A token must last at least 1 day",
            "max_value": f"A token can last at most {TOKEN_DAYS_MOST} days",
        },
    )


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label="Where should the service send the events?",
        help_text="The full address of the receiving system, like https://sre.example.org/hooks.",
        max_length=500,
        assume_scheme="https",
        error_messages={
            "required": "Enter the address of the endpoint",
            "invalid": "Enter the address of the endpoint, starting https://",
        },
    )
    description = forms.CharField(
        label="Which system is it?",
        help_text="A name people will recognise, like “Secure environment”.",
        max_length=200,
        error_messages={"required": "Enter which system the endpoint belongs to"},
    )

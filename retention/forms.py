from django import forms

from .models import Action, RecordKind
from .services import PERIOD_MOST


class RuleForm(forms.Form):
    period_days = forms.IntegerField(
        label="How many days should these records be kept?",
        help_text="Counted in whole days from the day the clock starts. 365 is a year.",
        min_value=1,
        max_value=PERIOD_MOST,
        error_messages={
            "required": "Enter how many days these records should be kept",
            "invalid": "Enter the period as a whole number of days, like 365",
            "min_value": "Enter a period of at least 1 day",
            "max_value": f"Enter a period of at most {PERIOD_MOST:,} days",
        },
    )
    action = forms.ChoiceField(
        label="What happens at the end of the period?",
        choices=Action.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happens at the end of the period"},
    )
    reason = forms.CharField(
        label="Why is it changing?",
        help_text="Who decided, and on what basis. This is kept with the new version.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the period is changing"},
    )


class ConfirmForm(forms.Form):
    reason = forms.CharField(
        label="Who reviewed the schedule, and what did they decide?",
        help_text="For example: “Reviewed by the records manager on 3 March; periods agreed.”",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter who reviewed the schedule and what they decided"},
    )


class HoldForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of record is it?",
        choices=[("", "Select a kind of record"), *RecordKind.choices],
        error_messages={"required": "Select the kind of record to hold"},
    )
    identifier = forms.CharField(
        label="Its number, or the stored file's name",
        help_text="The number in the address of its page, or for a stored file the name the "
        "dry run printed, like private/outputs/ab/cd/…. For training evidence, training- or "
        "qualification- and its number, as the dry run prints it: training-12.",
        max_length=255,
        error_messages={"required": "Enter the record's number or the file's name"},
    )
    reason = forms.CharField(
        label="Why must it be kept?",
        help_text="For example the request, investigation or proceedings it is needed for.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the record must be kept"},
    )


class LiftForm(forms.Form):
    reason = forms.CharField(
        label="Why can the hold be lifted?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the hold can be lifted"},
    )

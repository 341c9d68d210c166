from django import forms

from projects.screening.sections import sections
from projects.screening.services import SCREENING_CHECKS

ACTIONS = ("pass", "return", "fast_track")


class ScreeningForm(forms.Form):
    """The checklist, comments per section for a return, and the rationale for the fast track.

    One form, so what the secretariat has ticked and typed is kept whichever button they press;
    what is required depends on the button (``action``).
    """

    checks = forms.MultipleChoiceField(
        label="Completeness and feasibility checks",
        help_text="Tick each check the proposal meets. Every check must be ticked to pass it on "
        "or approve it.",
        choices=SCREENING_CHECKS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    rationale = forms.CharField(
        label="Why the proposal is low-risk enough for the fast track",
        help_text="Recorded as the decision's rationale and shown on the register's record of "
        "the decision.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args, action=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.section_fields = []
        for key, heading in sections():
            name = f"comment_{key}"
            self.fields[name] = forms.CharField(
                label=heading,
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )
            self.section_fields.append(name)

    @property
    def checklist(self):
        return self["checks"]

    @property
    def comment_fields(self):
        return [self[name] for name in self.section_fields]

    def clean(self):
        cleaned = super().clean()
        if self.action not in ACTIONS:
            raise forms.ValidationError("Choose what to do with the proposal")
        if self.action in ("pass", "fast_track"):
            ticked = set(cleaned.get("checks") or ())
            if len(ticked) != len(SCREENING_CHECKS):
                self.add_error(
                    "checks",
                    "Tick every check before you pass the proposal on"
                    if self.action == "pass"
                    else "Tick every check before you approve the proposal",
                )
        if self.action == "fast_track" and not (cleaned.get("rationale") or "").strip():
            self.add_error(
                "rationale", "Say why the proposal is low-risk enough for the fast track"
            )
        if self.action == "return" and not any(
            (cleaned.get(name) or "").strip() for name in self.section_fields
        ):
            self.add_error(
                self.section_fields[0],
                "Say what needs changing in at least one section of the proposal",
            )
        return cleaned

    @property
    def section_comments(self):
        return {
            name.removeprefix("comment_"): self.cleaned_data.get(name, "")
            for name in self.section_fields
        }

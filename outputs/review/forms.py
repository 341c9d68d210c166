"""The output checkers' forms: the votes and comments on a group, reasons to reject."""

from django import forms

from outputs.models import FileVote


class GroupReviewForm(forms.Form):
    """One form per group: a vote and a comment on each of its files while reviewing, and a
    comment on the group, saved at once (``review_services.group_review_save``). Once both
    reviews are in, only the comment on the group (``voting=False``).

    Its fields are named for the files, ``vote_<pk>`` and ``comment_<pk>``, as the service
    names its refusals; the prefix keeps the groups' forms apart on one page.
    """

    text = forms.CharField(
        label="Comment on the group",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    public = forms.BooleanField(
        label="Show this comment to the researcher",
        help_text="Leave unticked to keep it among the checkers.",
        required=False,
    )

    def __init__(self, *args, group, files, voting, **kwargs):
        super().__init__(*args, prefix=f"group-{group.pk}", **kwargs)
        self.group = group
        self.files = list(files) if voting else []
        self.fields["text"].label = f"Comment on {group.name}"
        if not voting:
            self.fields["text"].required = True
            self.fields["text"].error_messages["required"] = f"Enter a comment on {group.name}."
        for output_file in self.files:
            needed = getattr(output_file, "approval_comment_needed", "")
            self.fields[f"vote_{output_file.pk}"] = forms.ChoiceField(
                label=f"Your vote on {output_file.name}",
                choices=FileVote.Vote.choices,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"comment_{output_file.pk}"] = forms.CharField(
                label=f"Comment on {output_file.name}",
                help_text=f"Needed to approve. {needed}" if needed else "Optional.",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        cleaned = super().clean()
        entered = bool(cleaned.get("text"))
        for output_file in self.files:
            vote = cleaned.get(f"vote_{output_file.pk}")
            comment = cleaned.get(f"comment_{output_file.pk}")
            entered = entered or bool(vote or comment)
            if comment and not vote and f"vote_{output_file.pk}" not in self.errors:
                self.add_error(
                    f"vote_{output_file.pk}",
                    f"Choose approve or request changes for {output_file.name}, or clear "
                    "your comment on it.",
                )
        if self.files and not entered and not self.errors:
            raise forms.ValidationError(
                f"Choose a vote on a file in {self.group.name}, or write a comment."
            )
        return cleaned

    def votes(self):
        """``{file pk: (vote, comment)}`` for each file given a vote."""
        return {
            output_file.pk: (
                self.cleaned_data[f"vote_{output_file.pk}"],
                self.cleaned_data[f"comment_{output_file.pk}"],
            )
            for output_file in self.files
            if self.cleaned_data.get(f"vote_{output_file.pk}")
        }

    def bound_fields_for(self, output_file):
        return self[f"vote_{output_file.pk}"], self[f"comment_{output_file.pk}"]


class RejectForm(forms.Form):
    reasons = forms.CharField(
        label="Why is the request rejected?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the request is rejected."},
    )

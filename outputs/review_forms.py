"""The output checkers' forms: a vote on a file, a comment on a group, reasons to reject."""

from django import forms

from .models import FileVote


class VoteForm(forms.Form):
    file = forms.IntegerField(widget=forms.HiddenInput)
    vote = forms.ChoiceField(
        label="Your vote",
        choices=FileVote.Vote.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or request changes."},
    )
    comment = forms.CharField(
        label="Comment (optional)",
        help_text="Needed to approve a file whose automated checks failed.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommentForm(forms.Form):
    group = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a comment."},
    )
    public = forms.BooleanField(
        label="Show this comment to the researcher",
        help_text="Leave unticked to keep it among the checkers.",
        required=False,
    )


class RejectForm(forms.Form):
    reasons = forms.CharField(
        label="Why is the request rejected?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the request is rejected."},
    )

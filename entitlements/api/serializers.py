"""What the API says, field by field; drf-spectacular reads these for the OpenAPI schema."""

import re

from rest_framework import serializers
from rest_framework.utils import html

from accreditation.models import Level
from projects.models import Proposal


class _NoBlanks(serializers.Serializer):
    """A query string's parameters, where one given empty (``?name=``) is a mistake to point
    out, not a request for everything."""

    def to_internal_value(self, data):
        blank = {
            name: ["Give a value, or leave the parameter out."]
            for name in self.fields
            if name in data and data.get(name) == ""
        }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({**error.detail, **blank}) from error
        if blank:
            raise serializers.ValidationError(blank)
        return value


class _WholeNumber(serializers.IntegerField):
    """A query parameter holding one whole number from ``min_value`` to ``max_value``, in plain
    digits (at most nine; no sign, space or decimal point), given once: anything else, an empty
    value included, is answered with the one message saying what to give."""

    def __init__(self, *, min_value, max_value, **kwargs):
        wrong = f"Give one whole number from {min_value} to {max_value}."
        kwargs["error_messages"] = dict.fromkeys(
            ("invalid", "min_value", "max_value", "max_string_length"), wrong
        )
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def get_value(self, dictionary):
        # Every value sent, as it was sent: read as a form's fields are, a parameter given
        # twice would count as its last value and one given empty as one left out.
        if html.is_html_input(dictionary) and self.field_name in dictionary:
            given = dictionary.getlist(self.field_name)
            return given[0] if len(given) == 1 else given
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if not (isinstance(data, str) and re.fullmatch(r"[0-9]{1,9}", data)):
            self.fail("invalid")
        return super().to_internal_value(data)


class PageQuery(serializers.Serializer):
    """The query string of a list paged by ``?limit=`` and ``?offset=``."""

    limit = _WholeNumber(default=100, min_value=1, max_value=1000)
    offset = _WholeNumber(default=0, min_value=0, max_value=999_999_999)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="person_id")
    email = serializers.EmailField(source="person_email")
    name = serializers.CharField(source="person_name")


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="project_id")
    title = serializers.CharField(source="project_title")


class DatasetSerializer(serializers.Serializer):
    slug = serializers.SlugField(source="dataset_slug")
    name = serializers.CharField(source="dataset_name")


class EntitlementSerializer(serializers.Serializer):
    person = PersonSerializer(source="*")
    project = ProjectSerializer(source="*")
    dataset = DatasetSerializer(source="*")
    variables = serializers.CharField(
        help_text="The variables approved, as the panel approved them."
    )
    access_mode = serializers.CharField(help_text="How the data may be reached.")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(help_text="The last day the entitlement holds.")
    state = serializers.ChoiceField(
        choices=["in_force", "ended"],
        help_text="in_force; or ended, listed only when asked for changes (`changed_since`).",
    )


class EntitlementFilterSerializer(_NoBlanks):
    """The query string of the entitlements list."""

    person = serializers.EmailField(
        required=False, help_text="Only this person's entitlements (their email address)."
    )
    project = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Only this project's entitlements (its id).",
    )
    dataset = serializers.SlugField(
        required=False, help_text="Only entitlements to this dataset (its slug)."
    )
    changed_since = serializers.DateTimeField(
        required=False,
        help_text=(
            "Only what was granted, changed or ended since this moment (ISO 8601, with its "
            "offset): those in force, and those ended, with `state` saying which."
        ),
    )


class PassportFilterSerializer(serializers.Serializer):
    person = serializers.EmailField(help_text="The person whose visas to issue (email address).")


class PassportSerializer(serializers.Serializer):
    ga4gh_passport_v1 = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "One ControlledAccessGrants visa per entitlement in force: a JWT signed with the "
            "service's key (RS256), verifiable from /.well-known/jwks.json."
        ),
    )


class JwksSerializer(serializers.Serializer):
    keys = serializers.ListField(child=serializers.DictField(), help_text="RFC 7517 public keys.")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words.")


_AFTER = "The next page: the `next` link of the page before gives it."
_BEFORE = "The previous page: the `previous` link of the page after gives it."


def _text(help_text, *, max_length=200):
    """A query parameter of free text: anything but the null character, which no record holds,
    kept exactly as sent (a search for a space is a search for a space)."""
    return serializers.RegexField(
        r"^[^\x00]+$",
        required=False,
        max_length=max_length,
        trim_whitespace=False,
        help_text=help_text,
        error_messages={"invalid": "Null characters are not allowed."},
    )


def _cursor(help_text):
    """A page's cursor, as the ``next`` or ``previous`` link gave it: signed, and as long as the
    sort key it carries (a project's whole title), so only a generous bound on its length."""
    return _text(help_text, max_length=2000)


class ResearcherRegisterQuery(_NoBlanks):
    name = _text("All or part of the researcher's name.")
    organisation = _text("All or part of the organisation's name.")
    level = serializers.ChoiceField(
        required=False, choices=Level.values, help_text="Full or provisional."
    )
    after = _cursor(_AFTER)
    before = _cursor(_BEFORE)


class ResearcherEntrySerializer(serializers.Serializer):
    name = serializers.CharField()
    organisation = serializers.CharField(
        help_text="Empty unless the organisation is on the secretariat's approved list."
    )
    accreditation = serializers.ChoiceField(choices=Level.values)
    valid_until = serializers.DateField()


class ResearcherRegisterPage(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ResearcherEntrySerializer(many=True)


class ProjectRegisterQuery(_NoBlanks):
    title = _text("All or part of the project's title.")
    organisation = _text("All or part of a team organisation's name.")
    dataset = _text("All or part of a dataset's name.")
    status = serializers.ChoiceField(
        required=False,
        choices=[state.value for state in Proposal.ON_REGISTER],
        help_text="The project's status.",
    )
    after = _cursor(_AFTER)
    before = _cursor(_BEFORE)


class PublishedOutputSerializer(serializers.Serializer):
    citation = serializers.CharField()
    doi = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)


class ProjectEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    lay_summary = serializers.CharField(allow_blank=True)
    organisations = serializers.ListField(child=serializers.CharField())
    datasets = serializers.ListField(child=serializers.CharField())
    legal_gateways = serializers.ListField(child=serializers.CharField())
    decision_date = serializers.DateField(allow_null=True)
    approved_by = serializers.CharField()
    status = serializers.CharField()
    published_outputs = PublishedOutputSerializer(many=True)


class ProjectRegisterPage(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProjectEntrySerializer(many=True)


class MyAccreditationSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.values)
    state = serializers.CharField(help_text="active, suspended, revoked or expired.")
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)


class MyDeclarationSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="Checkable on the declaration checking page.")
    version = serializers.IntegerField(source="version.number")
    signed_at = serializers.DateTimeField()


class MyProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    state = serializers.CharField()
    role = serializers.ChoiceField(choices=["coordinator", "member"])
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)


class MeSerializer(serializers.Serializer):
    """What the service holds about the signed-in person that decides their access to data."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    accreditation = MyAccreditationSerializer(
        allow_null=True, help_text="The latest accreditation, or null before any."
    )
    declaration = MyDeclarationSerializer(
        allow_null=True, help_text="The latest signed confidentiality declaration, or null."
    )
    declaration_counts_until = serializers.DateField(
        allow_null=True,
        help_text=(
            "When the declaration is on an earlier version: the last day it still gives access "
            "to data. Null when it is on the current version or no longer counts."
        ),
    )
    projects = MyProjectSerializer(
        many=True, help_text="Projects they co-ordinate or joined, amendments left out."
    )
    entitlements = EntitlementSerializer(many=True, help_text="Their entitlements in force today.")

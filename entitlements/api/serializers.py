"""What the API says, field by field; drf-spectacular reads these for the OpenAPI schema."""

from rest_framework import serializers


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


class EntitlementFilterSerializer(serializers.Serializer):
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

    def to_internal_value(self, data):
        # A parameter given empty (``?person=``) is a mistake, not a request for everything.
        blank = {
            name: ["Give a value, or leave the parameter out."]
            for name in self.fields
            if name in data and data.get(name) == ""
        }
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)


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

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from .access_modes import AccessMode

__all__ = ["AccessMode", "Act", "Dataset", "DatasetGateway", "Department", "Governs"]

# Paths such as /legislation/new/ sit beside the detail pages, so these can never be slugs.
RESERVED_SLUGS = frozenset({"new"})


class Governs(models.TextChoices):
    """What part of the data journey a piece of legislation governs."""

    USE = "use", "Use"
    ACCESS = "access", "Access"
    ONWARD_DISCLOSURE = "onward_disclosure", "Onward disclosure"
    PUBLICATION = "publication", "Publication"
    RETENTION = "retention", "Retention"


def validate_governs(value):
    if not isinstance(value, list) or not value:
        raise ValidationError("Select at least one thing the act governs.")
    unknown = [item for item in value if item not in Governs.values]
    if unknown:
        raise ValidationError(
            "%(unknown)s is not something an act can govern.",
            params={"unknown": ", ".join(map(str, unknown))},
        )
    if len(set(value)) != len(value):
        raise ValidationError("Each thing the act governs is listed once.")


def validate_not_reserved_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(
            "“%(value)s” is reserved; choose another slug.", params={"value": value}
        )


def governs_sorted(values: Iterable[str]) -> list[str]:
    """``values`` in the order of the data journey, not the order they were ticked."""
    order = {value: index for index, value in enumerate(Governs.values)}
    return sorted(set(values), key=lambda value: order.get(value, len(order)))


class Act(models.Model):
    """A piece of legislation the policy names: an act of Parliament, an order or regulations."""

    slug = models.SlugField(max_length=100, unique=True, validators=[validate_not_reserved_slug])
    title = models.CharField(max_length=200, unique=True)
    year = models.PositiveSmallIntegerField()
    # A list of Governs values; JSON keeps it portable between SQLite and PostgreSQL.
    governs = models.JSONField(default=list, validators=[validate_governs])
    summary = models.TextField(help_text="What the act means for the scheme, in our own words.")
    official_url = models.URLField(
        "Official text",
        max_length=300,
        blank=True,
        help_text="The act on legislation.gov.uk. Shown as a link; never fetched.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("legislation:act_detail", kwargs={"slug": self.slug})

    @property
    def governs_labels(self):
        return [Governs(value).label for value in governs_sorted(self.governs)]


class Department(models.Model):
    """A government department or body that owns data held by the scheme."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    short_name = models.CharField(max_length=20, unique=True, help_text="For example, HMRC.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Dataset(models.Model):
    """Unpublished, de-identified data researchers may apply to use."""

    slug = models.SlugField(max_length=100, unique=True, validators=[validate_not_reserved_slug])
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField()
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="datasets",
        verbose_name="Owning department",
    )
    acts = models.ManyToManyField(
        Act,
        through="DatasetGateway",
        related_name="datasets",
        verbose_name="Legal gateways",
        help_text="The legislation under which the data is held.",
    )
    consent_required = models.BooleanField(
        "Owning department's consent required",
        default=False,
        help_text="Onward access needs the owning department's consent, for example HMRC data.",
    )
    access_mode = models.CharField(
        "Required access mode",
        max_length=20,
        choices=AccessMode.choices,
        default=AccessMode.SAFE_SETTING,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("legislation:dataset_detail", kwargs={"slug": self.slug})


class DatasetGateway(models.Model):
    """One act under which a dataset is held. An act still in use cannot be deleted."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="gateways")
    act = models.ForeignKey(Act, on_delete=models.PROTECT, related_name="gateways")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "act"], name="unique_dataset_gateway"),
        ]

    def __str__(self):
        return f"{self.dataset} under {self.act}"

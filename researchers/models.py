from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

from identity.roles import Role
from uploads.storage import PrivateUploadTo


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. The email address is the login; roles are groups."""

    username = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        indexes = [
            # The register of researchers lists and pages by name, then by person. Searches by
            # part of a name use a trigram index too, on PostgreSQL only (migration 0007).
            models.Index(fields=["full_name", "id"], name="user_by_name"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def held_roles(self) -> list[Role]:
        """The roles this user holds, in the order Role lists them.

        Reads ``groups.all()``, so a list that prefetched groups asks no further query.
        """
        names = {group.name for group in self.groups.all()}
        return [role for role in Role if role.value in names]

    def role_labels(self) -> list[str]:
        return [role.label for role in self.held_roles()]


class Organisation(models.Model):
    """An employer or institution a researcher belongs to, from the list the secretariat keeps.

    A researcher may propose one that is missing; it stays out of the list until the
    secretariat approves it, or merges it into an existing entry, or rejects it.
    """

    class Status(models.TextChoices):
        APPROVED = "approved", "Approved"
        PROPOSED = "proposed", "Awaiting approval"
        MERGED = "merged", "Merged"
        REJECTED = "rejected", "Rejected"

    name = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED


class ResearcherProfile(models.Model):
    """What a researcher tells the secretariat about themselves, beyond their account."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="profiles"
    )
    orcid = models.CharField("ORCID iD", max_length=19, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField("telephone number", max_length=40, blank=True)
    work_address = models.TextField(blank=True)
    contact_email = models.EmailField("work email address", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Profile of {self.user}"


class Qualification(models.Model):
    """A degree, or years of quantitative research experience, with its evidence."""

    class Kind(models.TextChoices):
        DEGREE = "degree", "Degree"
        EXPERIENCE = "experience", "Quantitative research experience"

    class Level(models.TextChoices):
        BACHELOR = "bachelor", "Bachelor's degree"
        MASTER = "master", "Master's degree"
        DOCTORATE = "doctorate", "Doctorate (PhD or equivalent)"
        OTHER = "other", "Other degree-level qualification"

    class Classification(models.TextChoices):
        FIRST = "first", "First"
        UPPER_SECOND = "upper_second", "Upper second (2:1)"
        LOWER_SECOND = "lower_second", "Lower second (2:2)"
        THIRD = "third", "Third"
        DISTINCTION = "distinction", "Distinction"
        MERIT = "merit", "Merit"
        PASS = "pass", "Pass"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=200, blank=True)
    institution = models.CharField(max_length=200, blank=True)
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    classification = models.CharField(max_length=20, choices=Classification.choices, blank=True)
    quantitative = models.BooleanField("substantial quantitative content", default=False)
    years = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    evidence = models.FileField(
        upload_to=PrivateUploadTo("researchers/evidence"), max_length=300, blank=True
    )
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_kind = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        if self.kind == self.Kind.EXPERIENCE:
            years = "1 year's" if self.years == 1 else f"{self.years} years'"
            return f"{years} quantitative research experience"
        return f"{self.get_level_display()} in {self.subject}"

    @property
    def audit_person_id(self):
        """Whose key seals this qualification's title in the audit trail: it is theirs."""
        return self.user_id


class TrainingRecord(models.Model):
    """A pass of Safe Researcher Training, with its certificate."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="training_records")
    course = models.CharField(max_length=200)
    passed_on = models.DateField()
    certificate = models.FileField(
        upload_to=PrivateUploadTo("researchers/training"), max_length=300, blank=True
    )
    certificate_name = models.CharField(max_length=255, blank=True)
    certificate_kind = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-passed_on", "-pk"]

    def __str__(self):
        return f"{self.course}, passed {self.passed_on.day} {self.passed_on:%B %Y}"

    @property
    def audit_person_id(self):
        """Whose key seals this training record's title in the audit trail: it is theirs."""
        return self.user_id


# Declarations and data exports live in their own modules; importing them here lets Django
# find them.
from researchers.data_export.models import DataExport  # noqa: E402,F401
from researchers.declaration.models import Declaration, DeclarationVersion  # noqa: E402,F401

"""The confidentiality declaration: versioned text kept as data, and each researcher's signature.

A signature keeps the version it was made on; publishing a new version never changes it.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition

from uploads.storage import PrivateUploadTo
from workflow.models import StateGroup, StateMachineModel
from workflow.permissions import is_the_service

# No 0/O, 1/I/L or U, so a reference read aloud or typed from paper comes out right.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
REFERENCE_PREFIX = "ARS-DEC-"


def reference_new() -> str:
    """A random reference like ARS-DEC-7K3Q-9M2P (30^8 possibilities)."""
    characters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{REFERENCE_PREFIX}{characters[:4]}-{characters[4:]}"


def reference_normalise(typed):
    """The reference someone typed, in its stored form, or "" when it cannot be one.

    Case, spaces and dashes do not matter, and the ARS-DEC prefix may be left out.
    """
    characters = "".join(ch for ch in (typed or "").upper() if ch.isalnum())
    if characters.startswith("ARSDEC"):
        characters = characters[len("ARSDEC") :]
    if len(characters) != 8 or any(ch not in REFERENCE_ALPHABET for ch in characters):
        return ""
    return f"{REFERENCE_PREFIX}{characters[:4]}-{characters[4:]}"


class DeclarationVersionQuerySet(models.QuerySet["DeclarationVersion"]):
    def current(self) -> "DeclarationVersion | None":
        """The version researchers sign now: the highest number, or None before any."""
        return self.order_by("-number").first()


class DeclarationVersion(models.Model):
    """One published wording of the confidentiality declaration.

    ``sign_by`` is the last day on which a signature on an earlier version still counts for
    access to data: after it, only those who signed this version (or a later one) keep their
    entitlements. None means at once: no earlier signature counts from publication.
    """

    number = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)
    sign_by = models.DateField(
        "sign by",
        null=True,
        blank=True,
        help_text="The last day a signature on an earlier version still gives access to data.",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DeclarationVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return f"Version {self.number}"


class Declaration(StateMachineModel):
    """A researcher's signature on one declaration version, and the signed PDF made from it.

    The signature is recorded at once; the worker then prepares the signed PDF (``prepare``), or
    gives up after its retries (``fail``), when the researcher signs again. The hourly sweep
    queues again the PDF of a declaration left pending, whose task never reached a worker.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Being prepared"
        SIGNED = "signed", "Signed"
        FAILED = "failed", "Could not be prepared"
        DESTROYED = "destroyed", "Destroyed under the retention schedule"

    STATE_OWNERS = {
        # The service prepares the PDF in the background: no person has a step to take.
        State.PENDING: None,
        State.SIGNED: None,
        State.FAILED: None,
        # The retention run destroyed it; only the reference and dates remain.
        State.DESTROYED: None,
    }
    # A researcher with a declaration in this group on the current version need not sign again.
    STANDING = StateGroup(
        [State.PENDING, State.SIGNED],
        meaning="Standing: signed, or its signed PDF still being prepared",
    )
    # The public verification page answers for these: signed, or what remains once destroyed.
    VERIFIABLE = StateGroup(
        [State.SIGNED, State.DESTROYED],
        meaning="Verifiable: signed, or destroyed under the retention schedule",
    )
    # What the retention run destroys once its period has passed.
    DESTROYABLE = StateGroup(
        [State.SIGNED, State.FAILED],
        meaning="Destroyable under the retention schedule: signed, or never prepared",
    )
    STATE_TAG_COLOURS = {
        State.PENDING: "blue",
        State.SIGNED: "green",
        State.FAILED: "red",
        State.DESTROYED: "grey",
    }
    audit_label = "declaration"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="declarations"
    )
    version = models.ForeignKey(
        DeclarationVersion, on_delete=models.PROTECT, related_name="declarations"
    )
    reference = models.CharField(max_length=20, unique=True)
    typed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    pdf = models.FileField(upload_to=PrivateUploadTo("declarations"), blank=True)
    sha256 = models.CharField("SHA-256 of the signed PDF", max_length=64, blank=True)
    pdf_signed_at = models.DateTimeField(null=True, blank=True)
    state = FSMField(choices=State.choices, default=State.PENDING, protected=True)
    failure_reason = models.TextField(blank=True)
    # What the retention run leaves of a destroyed declaration, for the public verification page:
    # numbers, not keys, as the retention app sits above this one.
    destroyed_at = models.DateTimeField(null=True, blank=True)
    destroyed_under = models.PositiveIntegerField(
        "retention schedule version", null=True, blank=True
    )
    destruction_certificate = models.PositiveIntegerField(
        "destruction certificate number", null=True, blank=True
    )

    class Meta:
        ordering = ["-signed_at", "-pk"]
        indexes = [models.Index(fields=["user", "state"])]

    def __str__(self):
        return f"Declaration {self.reference}"

    @property
    def is_signed(self):
        return self.state == self.State.SIGNED

    @property
    def is_destroyed(self):
        return self.state == self.State.DESTROYED

    @property
    def download_name(self):
        return f"confidentiality-declaration-{self.reference}.pdf"

    @transition(
        field=state,
        source=State.PENDING,
        target=State.SIGNED,
        permission=is_the_service,
        custom={
            "label": "Prepare the signed PDF",
            "refused": "The signed PDF is prepared only for a declaration still waiting for it.",
        },
    )
    def prepare(self, pdf):
        """Store ``pdf``, the rendered and digitally signed declaration, with its SHA-256."""
        self.pdf.save(self.download_name, ContentFile(pdf), save=False)
        self.sha256 = hashlib.sha256(pdf).hexdigest()
        self.pdf_signed_at = timezone.now()
        self.failure_reason = ""

    @transition(
        field=state,
        source=State.PENDING,
        target=State.FAILED,
        permission=is_the_service,
        custom={
            "label": "Record that the PDF could not be prepared",
            "refused": "Only a declaration still waiting for its signed PDF can fail.",
        },
    )
    def fail(self, reason=""):
        self.failure_reason = reason[:2000]

    @transition(
        field=state,
        source=DESTROYABLE,
        target=State.DESTROYED,
        permission=is_the_service,
        custom={
            "label": "Destroy under the retention schedule",
            "refused": "Only a signed declaration, or one whose PDF could not be prepared, is "
            "destroyed.",
        },
    )
    def destroy(self, *, at, schedule_version, certificate):
        """Forget what the person typed and where from, and the signed PDF (the run removes the
        file from storage once its transaction commits). The reference, version, dates and the
        PDF's SHA-256 stay, so the verification page can say what there was and when it went."""
        self.typed_name = ""
        self.ip_address = None
        self.user_agent = ""
        self.failure_reason = ""
        self.pdf = ""
        self.destroyed_at = at
        self.destroyed_under = schedule_version
        self.destruction_certificate = certificate

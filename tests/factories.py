import factory
from django.contrib.auth.models import Group

from researchers.models import User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A signed-up user with a verified email address.

    ``UserFactory(roles=[Role.SECRETARIAT])`` puts the user in those role groups.
    A user given a staff role this way has signed the current declaration, as the service
    requires before it gives one (the row only: no PDF is prepared);
    ``UserFactory(roles=[...], declaration=False)`` leaves it unsigned.
    ``UserFactory(totp=True)`` gives the user an activated TOTP authenticator and recovery codes,
    as staff roles need before any staff page opens; the secret is kept on ``user.totp_secret``
    so a test can compute a valid code. ``UserFactory(passkey=True)`` gives them a passkey
    instead (``passkey_add``), and recovery codes.
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.ac.uk")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for role in extracted:
            group, _ = Group.objects.get_or_create(name=str(role))
            self.groups.add(group)

    @factory.post_generation
    def declaration(self, create, extracted, **kwargs):
        from identity.roles import STAFF_ROLES

        if not create or extracted is False:
            return
        if not extracted and not STAFF_ROLES & {str(role) for role in self.groups.all()}:
            return
        declaration_signed_row(self)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(
            user=self, email=self.email, defaults={"verified": True, "primary": True}
        )

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        self.totp_secret = generate_totp_secret()
        TOTP.activate(self, self.totp_secret)
        RecoveryCodes.activate(self)

    @factory.post_generation
    def passkey(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

        passkey_add(self)
        RecoveryCodes.activate(self)


def secretariat_for(besides=()):
    """A secretariat member with two-factor authentication who is none of ``besides`` (users
    or their keys): the first there is, else a new one. So the test's own secretariat member
    takes the steps a helper takes when the test has made one, and nobody else is told."""
    from allauth.mfa.models import Authenticator

    from identity.roles import Role

    besides = [getattr(user, "pk", user) for user in besides]
    member = (
        User.objects.filter(
            groups__name=Role.SECRETARIAT, pk__in=Authenticator.objects.values("user_id")
        )
        .exclude(pk__in=besides)
        .order_by("pk")
        .first()
    )
    return member or UserFactory(roles=[Role.SECRETARIAT], totp=True)


def declaration_signed_row(user):
    """A signed declaration on the current version (version 1 if none is published), without
    its PDF: for tests about who has signed, not about the signed copy. The row is made
    directly, as signing through the services renders and signs a PDF for every member of
    staff a test makes (``tests.researchers.states.declaration_signed`` does that)."""
    from django.utils import timezone

    from researchers.declaration.models import Declaration, DeclarationVersion, reference_new

    version = DeclarationVersion.objects.current() or DeclarationVersion.objects.create(
        number=1, text="I will keep the data confidential."
    )
    return Declaration.objects.create(
        user=user,
        version=version,
        reference=reference_new(),
        typed_name=user.full_name,
        signed_at=timezone.now(),
        state=Declaration.State.SIGNED,
    )


def passkey_add(user, *, name="Passkey 1", rp_id="localhost"):
    """Give ``user`` a passkey as allauth stores one it has registered: the registration
    response of a software authenticator (a new P-256 key, "none" attestation, resident and
    user-verified). Returns the authenticator row; its private key is on ``.private_key``."""
    import os

    from allauth.mfa.models import Authenticator
    from cryptography.hazmat.primitives.asymmetric import ec
    from fido2.cose import ES256
    from fido2.utils import sha256
    from fido2.webauthn import (
        Aaguid,
        AttestationObject,
        AttestedCredentialData,
        AuthenticatorAttestationResponse,
        AuthenticatorData,
        CollectedClientData,
        RegistrationResponse,
    )

    private_key = ec.generate_private_key(ec.SECP256R1())
    credential_id = os.urandom(16)
    flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV | AuthenticatorData.FLAG.AT
    authenticator_data = AuthenticatorData.create(
        sha256(rp_id.encode()),
        flags,
        0,
        AttestedCredentialData.create(
            Aaguid.NONE, credential_id, ES256.from_cryptography_key(private_key.public_key())
        ),
    )
    response = RegistrationResponse(
        raw_id=credential_id,
        response=AuthenticatorAttestationResponse(
            client_data=CollectedClientData.create(
                type="webauthn.create", challenge=os.urandom(32), origin=f"http://{rp_id}"
            ),
            attestation_object=AttestationObject.create("none", authenticator_data, {}),
        ),
        client_extension_results={"credProps": {"rk": True}},
    )
    authenticator = Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": name, "credential": _jsonable(response)},
    )
    authenticator.private_key = private_key
    return authenticator


def _jsonable(value):
    """fido2's JSON form of a response, as plain dicts and lists the database can store."""
    import json

    return json.loads(json.dumps(dict(value), default=dict))

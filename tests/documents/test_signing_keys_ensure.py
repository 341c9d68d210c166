from pathlib import Path

import pytest
from cryptography import x509
from django.core.management import CommandError, call_command


def test_signing_keys_ensure_makes_a_pair_with_signing_key_usage(settings, tmp_path):
    settings.DECLARATION_SIGNING_KEY = str(tmp_path / "signing" / "key.pem")
    settings.DECLARATION_SIGNING_CERT = str(tmp_path / "signing" / "cert.pem")

    call_command("signing_keys_ensure")

    cert = x509.load_pem_x509_certificate(Path(settings.DECLARATION_SIGNING_CERT).read_bytes())
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert Path(settings.DECLARATION_SIGNING_KEY).stat().st_mode & 0o077 == 0


def test_signing_keys_ensure_keeps_an_existing_pair(settings):
    before = Path(settings.DECLARATION_SIGNING_CERT).read_bytes()

    call_command("signing_keys_ensure")

    assert Path(settings.DECLARATION_SIGNING_CERT).read_bytes() == before


def test_signing_keys_ensure_refuses_in_production(settings, tmp_path):
    settings.PRODUCTION = True
    settings.DECLARATION_SIGNING_KEY = str(tmp_path / "key.pem")
    settings.DECLARATION_SIGNING_CERT = str(tmp_path / "cert.pem")

    with pytest.raises(CommandError, match="certificate authority"):
        call_command("signing_keys_ensure")

"""Production settings pass Django's deployment checklist (what `make check-deploy` runs)."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

# Each test runs Django in a process of its own, under production settings.
pytestmark = pytest.mark.slow


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "ars.example.gov.uk",
        "SITE_URL": "https://ars.example.gov.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DECLARATION_SIGNING_KEY": str(tmp_path / "declaration-key.pem"),
        "DECLARATION_SIGNING_CERT": str(tmp_path / "declaration-cert.pem"),
        "VAR_DIR": str(tmp_path),
    }
    # Set for the browser tests in this process only; a deployment never has it.
    for name in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        environment.pop(name, None)

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "SITE_URL"}
    }
    environment.update({"DJANGO_ENV": "production", "VAR_DIR": str(tmp_path)})

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert ".env.example" in result.stderr

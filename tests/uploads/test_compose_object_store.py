"""docker-compose.yml keeps files in its MinIO service's bucket, never on one container's disk.
No container engine runs here, so the file is read as compose would read it."""

import re

import yaml
from django.conf import settings


def compose():
    return yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())


def app_services(services):
    return {
        name: service
        for name, service in services.items()
        if service.get("environment", {}).get("DJANGO_ENV") == "production"
    }


def test_compose_app_services_keep_files_in_the_minio_bucket():
    services = compose()["services"]
    apps = app_services(services)

    assert {"web", "beat", "worker-pdf", "worker-checks", "worker-email", "worker-sweeps"} <= set(
        apps
    )
    for name, service in apps.items():
        environment = service["environment"]
        assert environment["AWS_STORAGE_BUCKET_NAME"], name
        assert environment["AWS_S3_ENDPOINT_URL"] == "http://minio:9000", name
        assert environment["AWS_S3_ADDRESSING_STYLE"] == "path", name
        mounts = [str(volume).split(":")[1] for volume in service.get("volumes", [])]
        assert "/app/var/media" not in mounts, f"{name} still keeps files on a volume"
    assert "media" not in (compose().get("volumes") or {})
    assert services["minio"]["volumes"] == ["minio-data:/data"]


def test_compose_web_waits_for_the_bucket_to_be_made():
    services = compose()["services"]

    setup = services["minio-setup"]
    assert setup["depends_on"]["minio"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["minio-setup"]["condition"] == (
        "service_completed_successfully"
    )
    script = setup["command"][0]
    assert 'mc mb --ignore-existing "store/$$BUCKET"' in script
    assert 'mc anonymous set none "store/$$BUCKET"' in script
    assert (
        setup["environment"]["BUCKET"] == services["web"]["environment"]["AWS_STORAGE_BUCKET_NAME"]
    )


def test_compose_reads_only_variables_env_example_lists():
    text = (settings.BASE_DIR / "docker-compose.yml").read_text()
    example = (settings.BASE_DIR / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))

    # ${NAME}, ${NAME:-default} and ${NAME:?message}; $$NAME is the container's own shell.
    interpolated = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", text))

    assert interpolated >= {"MINIO_ROOT_USER", "AWS_ACCESS_KEY_ID", "AWS_STORAGE_BUCKET_NAME"}
    assert interpolated <= listed, sorted(interpolated - listed)

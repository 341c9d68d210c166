"""What the audit trail shows for this app's own actions, and where its objects open; registered
in ``audit.hooks`` from the app's ``AppConfig.ready()``."""

WORDS = {
    "api_token.created": "Issued an API token",
    "api_token.revoked": "Revoked an API token",
    "api_token.used": "API request with a token",
    "api_token.refused": "API token refused",
    "webhook_endpoint.created": "Added a webhook endpoint",
    "webhook_endpoint.deactivated": "Deactivated a webhook endpoint",
}

OBJECT_PAGES: dict[str, str] = {}

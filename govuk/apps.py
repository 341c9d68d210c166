from django.apps import AppConfig


class GovukConfig(AppConfig):
    """GOV.UK Frontend pieces every app's pages use: form widgets and their renderer, template
    tags and CSV responses. The ground floor: it imports no app."""

    name = "govuk"

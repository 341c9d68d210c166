from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """PDF documents: rendering with WeasyPrint, PAdES signing and verification with pyHanko.

    Cross-cutting: it knows templates, settings and bytes, and imports no domain app.
    """

    name = "documents"
    verbose_name = "Documents"

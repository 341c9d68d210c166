"""HTML to PDF with WeasyPrint, from a Django template and print style sheets kept in static."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

DEFAULT_STYLESHEETS = ("documents/print.css",)


class RenderError(Exception):
    pass


def _data_only_fetcher():
    # Documents embed their images as data URIs. Refusing every other scheme keeps a render
    # from reaching the network or the disk, whatever text ends up in the template.
    return URLFetcher(allowed_protocols=["data"])


def _stylesheet(path):
    found = finders.find(path)
    if not found:
        raise RenderError(f"Print style sheet {path!r} is not among the static files.")
    with open(found, encoding="utf-8") as handle:
        return CSS(string=handle.read(), url_fetcher=_data_only_fetcher())


def render_pdf(
    template_name: str,
    context: Mapping[str, Any],
    *,
    stylesheets: Iterable[str] = DEFAULT_STYLESHEETS,
) -> bytes:
    """The PDF bytes of ``template_name`` rendered with ``context`` and the print style sheets.

    ``<meta name="DocumentReference" content="...">`` in the template's head is written to the
    PDF's document information, where ``verify_pdf`` finds it again.
    """
    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=_data_only_fetcher())
    return document.write_pdf(
        stylesheets=[_stylesheet(path) for path in stylesheets], custom_metadata=True
    )

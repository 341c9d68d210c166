"""Sending a stored file to someone who may have it."""

import mimetypes

from django.http import FileResponse, Http404


def serve_file(request, field_file, *, download_name, content_type=None):
    """Stream ``field_file`` as a download. Call only from a view that has checked permission.

    Always an attachment with sniffing turned off, so a file whose content disguises itself
    (an HTML page in a "PDF", a script in an SVG) is never rendered in the service's origin.
    """
    if not field_file:
        raise Http404("There is no file here.")
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing from storage.") from error
    content_type = (
        content_type or mimetypes.guess_type(download_name)[0] or "application/octet-stream"
    )
    response = FileResponse(
        handle, as_attachment=True, filename=download_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

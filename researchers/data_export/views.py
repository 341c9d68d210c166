"""A signed-in person's page for a copy of everything the service holds about them, and its
download. Every role reaches it from the dashboard; only the person downloads their copy."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from researchers.hooks import personal_data
from uploads.responses import serve_file

from . import selectors, services
from .permissions import check_user_can_download_data_export, user_can_download_data_export


@login_required
@require_http_methods(["GET", "POST"])
def data_export(request):
    if request.method == "POST":
        services.data_export_request(person=request.user, request=request)
        messages.success(
            request,
            "We are preparing a copy of your data. We will tell you when it is ready to "
            "download; it usually takes a few minutes.",
        )
        return redirect("researchers:data_export")
    exports = selectors.data_exports_recent(person=request.user)
    return render(
        request,
        "researchers/data_export.html",
        {
            "parts": personal_data(),
            "exports": [
                (export, user_can_download_data_export(request.user, export)) for export in exports
            ],
            "under_way": any(export.state in export.UNDER_WAY for export in exports),
            "keep_days": settings.DATA_EXPORT_KEEP_DAYS,
        },
    )


@login_required
@require_safe
def data_export_download(request, pk):
    export = selectors.data_export_get_own(user=request.user, pk=pk)
    check_user_can_download_data_export(request.user, export)
    response = serve_file(
        request, export.file, download_name=export.download_name, content_type="application/zip"
    )
    services.data_export_download_record(export=export, by=request.user, request=request)
    return response

"""A file's table with the cells the automated checks flagged, and its check results beside it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import check_selectors as selectors
from .check_permissions import check_user_can_see_file_checks


@login_required
@require_GET
def file_checks(request, file_pk):
    output_file = selectors.file_for_checks(pk=file_pk)
    check_user_can_see_file_checks(request.user, output_file)
    table = selectors.file_table(output_file)
    return render(
        request,
        "outputs/checks/file_checks.html",
        {
            "output_file": output_file,
            "output_request": output_file.group.request,
            "results": list(output_file.checks.all()),
            "table": table,
            "rows_shown": selectors.TABLE_ROWS_SHOWN,
        },
    )

from django.core.files.base import ContentFile
from django.utils import timezone

from reports.models import ReportExport

PDF_BYTES = b"%PDF-1.7\n%%EOF\n"


def export_ready(*, by, filters=None):
    """A PDF export already prepared, as the task leaves it (with stand-in bytes)."""
    export = ReportExport(
        requested_by=by,
        filters=filters
        or {"date_from": "2026-01-01", "date_to": "2026-03-31", "organisation": None},
        state=ReportExport.State.READY,
        progress=100,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        size=len(PDF_BYTES),
    )
    export.file.save("report.pdf", ContentFile(PDF_BYTES), save=False)
    export.save()
    return export

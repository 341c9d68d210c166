"""What the audit trail shows for this app's own actions, and where its objects open; registered
in ``audit.hooks`` from the app's ``AppConfig.ready()``."""

WORDS = {
    "report.csv_exported": "Downloaded a report as CSV",
    "report.pdf_requested": "Asked for a PDF report",
    "report.exported": "PDF report prepared",
    "report.export_failed": "PDF report could not be prepared",
    "report.pdf_downloaded": "Downloaded a PDF report",
}

OBJECT_PAGES = {
    "reports.reportexport": "reports:export_detail",
}

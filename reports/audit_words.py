"""What the audit trail shows for this app's own actions, and where its objects open; registered
in ``audit.hooks`` from the app's ``AppConfig.ready()``."""

WORDS = {
    "report.csv_exported": "Downloaded a report as CSV",
    "report.pdf_requested": "Asked for a PDF report",
    "report.pdf_downloaded": "Downloaded a PDF report",
    # Preparing the PDF is a state machine now ("report_export.start", ".finish", ".fail",
    # worded from the machine); events recorded before that keep these codes.
    "report.exported": "PDF report prepared",
    "report.export_failed": "PDF report could not be prepared",
}

OBJECT_PAGES = {
    "reports.reportexport": "reports:export_detail",
}

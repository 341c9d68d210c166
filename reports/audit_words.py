"""What the audit trail shows for this app's own actions, and where its objects open."""

from audit.describe import action_words_register, object_page_register

WORDS = {
    "report.csv_exported": "Downloaded a report as CSV",
    "report.pdf_requested": "Asked for a PDF report",
    "report.exported": "PDF report prepared",
    "report.export_failed": "PDF report could not be prepared",
    "report.pdf_downloaded": "Downloaded a PDF report",
}


def register():
    action_words_register(WORDS)
    object_page_register("reports.reportexport", "reports:export_detail")

"""What the audit trail shows for this app's own actions, and where its objects open; registered
in ``audit.hooks`` from the app's ``AppConfig.ready()``."""

WORDS = {
    "retention.run": "Destroyed records under the retention schedule",
    "retention.rule_changed": "Changed a retention period",
    "retention.schedule_confirmed": "Confirmed the retention schedule",
    "retention.hold_placed": "Placed a legal hold",
    "retention.hold_lifted": "Lifted a legal hold",
    "erasure_request.requested": "Asked for their personal data to be erased",
}

OBJECT_PAGES = {
    "retention.destructioncertificate": "retention:certificate_detail",
    "retention.retentionschedule": "retention:schedule_version",
    "retention.erasurerequest": "retention:erasure_decide",
}

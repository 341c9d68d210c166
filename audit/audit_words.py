"""What the audit trail shows for its own actions."""

WORDS = {
    "audit.person_erased": "Erased a person's personal data from the audit trail",
}

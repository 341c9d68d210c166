"""Version 1 of the retention schedule: the periods docs/retention.md proposes to the scheme's
records manager, not yet confirmed. The run destroys nothing until the secretariat confirms a
version; each rule's basis says where its period comes from."""

from django.db import migrations

YEAR = 365

# kind, what starts the clock, period in days, action, basis
PROPOSED = [
    (
        "application_withdrawn_draft",
        "withdrawn",
        YEAR,
        "destroy",
        "Nothing was decided and nothing was sent to the secretariat. A year lets the applicant "
        "ask what happened to it; the service already withdraws a draft left untouched for 60 "
        "days, warning its owner first.",
    ),
    (
        "proposal_withdrawn_draft",
        "withdrawn",
        YEAR,
        "destroy",
        "As for withdrawn draft applications: never submitted, never reviewed, and withdrawn "
        "by its co-ordinator or, after a warning, by the service.",
    ),
    (
        "notification_read",
        "read",
        YEAR,
        "destroy",
        "A read notification has done its work; the email went at the time and the audit trail "
        "keeps what happened. A year keeps the recent history a person may look back on.",
    ),
    (
        "report_export",
        "prepared",
        90,
        "destroy",
        "A report PDF is a copy of figures the service can prepare again at any time from its "
        "records; three months covers the reporting quarter it was prepared for.",
    ),
    (
        "orphaned_file",
        "last_written",
        30,
        "destroy",
        "A stored file no record refers to can never be shown or downloaded. Thirty days keeps "
        "an upload whose record is still being saved, and leaves time to notice a mistake.",
    ),
    (
        "application_withdrawn_submitted",
        "withdrawn",
        2 * YEAR,
        "destroy",
        "The secretariat may have screened it; two years covers questions about how it was "
        "handled.",
    ),
    (
        "application_rejected",
        "decided",
        6 * YEAR,
        "anonymise",
        "Six years, the limitation period for a claim about the decision; then reduced to an "
        "anonymous record so the reports' counts of decisions stay true.",
    ),
    (
        "accreditation_ended",
        "accreditation_ended",
        6 * YEAR,
        "anonymise",
        "Six years after the accreditation ended (expired or revoked), so that who could see "
        "which data when can still be answered; then anonymous, keeping the reports' figures.",
    ),
    (
        "declaration",
        "accreditation_ended",
        6 * YEAR,
        "destroy",
        "The signed declaration is the evidence of the researcher's undertaking: kept as long "
        "as the accreditation it supported is.",
    ),
    (
        "training_evidence",
        "accreditation_ended",
        6 * YEAR,
        "destroy",
        "Evidence of training and qualifications supported the accreditation decision: kept as "
        "long as the accreditation is.",
    ),
    (
        "proposal_rejected",
        "decided",
        6 * YEAR,
        "anonymise",
        "Six years, as for rejected applications; then anonymous, keeping the reports' counts.",
    ),
    (
        "project_closed",
        "project_closed",
        20 * YEAR,
        "anonymise",
        "Accredited projects are public records: twenty years, when the Public Records Act 1958 "
        "asks for records to be reviewed for permanent preservation. The public register's "
        "entry is kept.",
    ),
    (
        "output_file_not_released",
        "request_finished",
        YEAR,
        "destroy",
        "Results that never left the secure setting; a year covers a resubmission or a "
        "question about the checkers' decision.",
    ),
    (
        "output_file_released",
        "project_closed",
        10 * YEAR,
        "destroy",
        "The checked copy of results that were published; ten years after the project closed "
        "covers questions about what was released.",
    ),
    (
        "reminder_ledger",
        "sent",
        2 * YEAR,
        "destroy",
        "The ledger only stops a reminder being sent twice; two years is longer than any "
        "reminder's run-up.",
    ),
]


def load(apps, schema_editor):
    RetentionSchedule = apps.get_model("retention", "RetentionSchedule")
    RetentionRule = apps.get_model("retention", "RetentionRule")
    if RetentionSchedule.objects.filter(version=1).exists():
        return  # loaded already; a schedule is never loaded twice
    schedule = RetentionSchedule.objects.create(
        version=1,
        change="Proposed defaults loaded with the service, for the scheme's records manager to "
        "confirm (docs/retention.md).",
        confirmed=False,
    )
    RetentionRule.objects.bulk_create(
        RetentionRule(
            schedule=schedule,
            kind=kind,
            clock=clock,
            period_days=period,
            action=action,
            basis=basis,
        )
        for kind, clock, period, action, basis in PROPOSED
    )


def unload(apps, schema_editor):
    apps.get_model("retention", "RetentionRule").objects.filter(schedule__version=1).delete()
    apps.get_model("retention", "RetentionSchedule").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

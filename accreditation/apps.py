from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"

    def ready(self):
        # Each line fills a registry an app below this one declares in its hooks.py.
        from audit import hooks as audit_hooks
        from notifications import hooks as notification_hooks
        from researchers import hooks as researcher_hooks
        from workflow import hooks as workflow_hooks

        from . import audit_words, notices, personal_data, reminders
        from .person_section import PERSON_SECTION
        from .register.selectors import register_changed

        # What the audit trail says of this app's actions, in words, and where its objects open.
        audit_hooks.action_words_register(audit_words.WORDS)
        audit_hooks.object_pages_register(audit_words.OBJECT_PAGES)
        # Whose home shows an application (its applicant, and the supervisor it asks) and an
        # accreditation.
        audit_hooks.people_concerned_register(audit_words.PEOPLE_CONCERNED)

        # Who is told about each step of an application and an accreditation.
        notification_hooks.notices_register(notices.NOTICES)

        # Reminders about accreditations running out, training and stale drafts.
        notification_hooks.reminder_rules_register(*reminders.RULES)

        # A suspension, a revocation or an expiry shows on the public register at once.
        workflow_hooks.transition_committed_register(register_changed)

        # The accreditation section of the secretariat's person page.
        researcher_hooks.person_sections_register(PERSON_SECTION)

        # What a person's copy of their data holds of their applications and accreditations.
        researcher_hooks.personal_data_register(*personal_data.PARTS)

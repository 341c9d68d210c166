from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"

    def ready(self):
        # What the audit trail says of this app's actions, in words.
        from . import audit_words

        audit_words.register()

        # Reminders about accreditations running out, training and stale drafts.
        from . import reminders

        reminders.register()

        # Who is told about each step of an application and an accreditation.
        from notifications.transitions import notices_register

        from . import notices

        notices_register(notices.NOTICES)

        # The accreditation section of the secretariat's person page.
        from researchers.person_sections import person_sections_register

        from .person_section import PERSON_SECTION

        person_sections_register(PERSON_SECTION)

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self):
        # What the audit trail says of this app's actions, in words.
        from . import audit_words

        audit_words.register()

        # Reminders about stale drafts, late panel recommendations and projects ending.
        from . import reminders

        reminders.register()

        # Who is told about each step of a proposal and a project.
        from notifications.transitions import notices_add, notices_register

        from . import notices

        notices_register(notices.NOTICES)
        notices_add(notices.TEAM_MEMBER_NOTICES)

        # What the panel-reviewer and data-owner roles give, ended when the role is taken away.
        from researchers.role_grants import role_grants_register

        from . import role_grants

        role_grants_register(*role_grants.ROLE_GRANTS)

        # The projects section of the secretariat's person page.
        from researchers.person_sections import person_sections_register

        from .person_section import PERSON_SECTION

        person_sections_register(PERSON_SECTION)

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self):
        # Each line fills a registry an app below this one declares in its hooks.py.
        from audit import hooks as audit_hooks
        from notifications import hooks as notification_hooks
        from researchers import hooks as researcher_hooks
        from workflow import hooks as workflow_hooks

        from . import audit_words, notices, personal_data, reminders, role_grants
        from .person_section import PERSON_SECTION
        from .register.selectors import register_changed

        # What the audit trail says of this app's actions, in words, and where its objects open.
        audit_hooks.action_words_register(audit_words.WORDS)
        audit_hooks.object_pages_register(audit_words.OBJECT_PAGES)
        # Whose home shows a proposal: its co-ordinator, its team and whoever it invites.
        audit_hooks.people_concerned_register(audit_words.PEOPLE_CONCERNED)

        # Who is told about each step of a proposal and a project, and which co-ordinators
        # hear of a step of a team member's accreditation.
        notification_hooks.notices_register(notices.NOTICES)
        notification_hooks.notices_add(notices.TEAM_MEMBER_NOTICES)

        # Reminders about stale drafts, late panel recommendations and projects ending.
        notification_hooks.reminder_rules_register(*reminders.RULES)

        # What the panel-reviewer and data-owner roles give, ended when the role is taken away.
        researcher_hooks.role_grants_register(*role_grants.ROLE_GRANTS)

        # An approval, a suspension, a closure or a publication shows on the public register of
        # projects at once.
        workflow_hooks.transition_committed_register(register_changed)

        # The projects section of the secretariat's person page.
        researcher_hooks.person_sections_register(PERSON_SECTION)

        # What a person's copy of their data holds of their projects and team invitations.
        researcher_hooks.personal_data_register(*personal_data.PARTS)

"""What the panel-reviewer and data-owner roles give beyond their groups, and the services that
end it when the role is taken away. Registered in ``researchers.hooks`` by
``ProjectsConfig.ready()``."""

from identity.roles import Role
from projects.consent import selectors as consent_selectors
from projects.consent import services as consent_services
from projects.panel import selectors as panel_selectors
from projects.panel import services as panel_services
from researchers.hooks import RoleGrant


def _reviewer_assignments_end(*, user, by, request=None):
    panel_services.reviewer_assignments_end(reviewer=user, by=by, request=request)


ROLE_GRANTS = (
    RoleGrant(
        role=Role.PANEL_REVIEWER,
        gives="Assignments to review proposals, each with the permission to read that proposal "
        "and its data protection impact assessment.",
        held=panel_selectors.reviewer_grants_held,
        end=_reviewer_assignments_end,
    ),
    RoleGrant(
        role=Role.DATA_OWNER,
        gives="Speaking for departments on consent to their datasets; the answers already "
        "given stand.",
        held=consent_selectors.representations_held,
        end=consent_services.representations_end,
    ),
)

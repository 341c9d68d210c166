from django.urls import path

from . import proposal_views

app_name = "projects"

urlpatterns = [
    # Writing a proposal
    path("", proposal_views.proposal_list, name="proposal_list"),
    path("new/", proposal_views.proposal_start, name="proposal_start"),
    path("<int:pk>/", proposal_views.proposal_detail, name="proposal_detail"),
    path(
        "<int:pk>/section/<slug:section>/",
        proposal_views.proposal_section,
        name="proposal_section",
    ),
    path("<int:pk>/check/", proposal_views.proposal_check, name="proposal_check"),
    path("<int:pk>/withdraw/", proposal_views.proposal_withdraw, name="proposal_withdraw"),
    path("<int:pk>/dpia/", proposal_views.proposal_dpia, name="proposal_dpia"),
    path("invitations/<str:token>/", proposal_views.team_invitation, name="team_invitation"),
]

# Screening, data owners' consent and the fast track
from . import consent_views, screening_views  # noqa: E402

urlpatterns += [
    path("screening/", screening_views.secretariat_list, name="secretariat_list"),
    path("<int:pk>/screen/", screening_views.screen, name="screen"),
    path("consent/", consent_views.consent_queue, name="consent_queue"),
    path("<int:pk>/consent/", consent_views.consent, name="consent"),
    path("data-owners/", consent_views.representatives, name="representatives"),
]

# After approval: starting, closing and amending the project, and comparing its versions
from . import amendment_views, lifecycle_views  # noqa: E402

urlpatterns += [
    path("<int:pk>/activate/", lifecycle_views.activate, name="activate"),
    path("<int:pk>/schedule-start/", lifecycle_views.schedule_start, name="schedule_start"),
    path("<int:pk>/close/", lifecycle_views.close, name="close"),
    path("<int:pk>/amend/", amendment_views.amend, name="amend"),
    path("<int:pk>/versions/", amendment_views.versions, name="versions"),
]

# The Research Accreditation Panel: assigning reviewers, reviewing and the decision
from . import panel_views  # noqa: E402

urlpatterns += [
    path("<int:pk>/panel/", panel_views.panel, name="panel"),
    path("reviews/", panel_views.reviewer_queue, name="reviewer_queue"),
    path("<int:pk>/review/", panel_views.review, name="review"),
]

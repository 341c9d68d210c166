"""Writing a proposal, included by projects/urls.py under the "projects" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.proposal_list, name="proposal_list"),
    path("new/", views.proposal_start, name="proposal_start"),
    path("<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("<int:pk>/section/<slug:section>/", views.proposal_section, name="proposal_section"),
    path("<int:pk>/check/", views.proposal_check, name="proposal_check"),
    path("<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("<int:pk>/dpia/", views.proposal_dpia, name="proposal_dpia"),
    path("invitations/<str:token>/", views.team_invitation, name="team_invitation"),
]

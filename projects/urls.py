"""A proposal's way from draft to closed project, one sub-domain after another, all under the
"projects" namespace."""

from django.urls import include, path

app_name = "projects"

urlpatterns = [
    path("", include("projects.proposal.urls")),
    path("", include("projects.screening.urls")),
    path("", include("projects.consent.urls")),
    path("", include("projects.panel.urls")),
    path("", include("projects.lifecycle.urls")),
    path("", include("projects.amendment.urls")),
]

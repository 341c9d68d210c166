"""A researcher's own profile, and the secretariat's list of organisations, included by
researchers/urls.py under the "researchers" namespace."""

from django.urls import include, path

from . import views

profile_urlpatterns = [
    path("", views.profile, name="profile"),
    path("edit/", views.profile_edit, name="profile_edit"),
    path("qualifications/add/", views.qualification_add, name="qualification_add"),
    path(
        "qualifications/<int:pk>/edit/",
        views.qualification_edit,
        name="qualification_edit",
    ),
    path(
        "qualifications/<int:pk>/delete/",
        views.qualification_delete,
        name="qualification_delete",
    ),
    path(
        "qualifications/<int:pk>/evidence/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("training/add/", views.training_add, name="training_add"),
    path("training/<int:pk>/edit/", views.training_edit, name="training_edit"),
    path("training/<int:pk>/delete/", views.training_delete, name="training_delete"),
    path(
        "training/<int:pk>/certificate/",
        views.certificate_download,
        name="certificate_download",
    ),
]

organisation_urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("<int:pk>/", views.organisation_review, name="organisation_review"),
]

urlpatterns = [
    path("profile/", include(profile_urlpatterns)),
    path("organisations/", include(organisation_urlpatterns)),
]

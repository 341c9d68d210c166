from django.urls import include, path

from . import declaration_views, profile_views, views

app_name = "researchers"

# Mounted at the site root: people pages live under people/, and the public verification page
# of a signed declaration has a short address of its own that fits on paper.
people_urlpatterns = [
    path("", views.people_list, name="people_list"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/roles/", views.person_roles, name="person_roles"),
    path("<int:pk>/profile/", profile_views.person_profile, name="person_profile"),
]

profile_urlpatterns = [
    path("", profile_views.profile, name="profile"),
    path("edit/", profile_views.profile_edit, name="profile_edit"),
    path("qualifications/add/", profile_views.qualification_add, name="qualification_add"),
    path(
        "qualifications/<int:pk>/edit/",
        profile_views.qualification_edit,
        name="qualification_edit",
    ),
    path(
        "qualifications/<int:pk>/delete/",
        profile_views.qualification_delete,
        name="qualification_delete",
    ),
    path(
        "qualifications/<int:pk>/evidence/",
        profile_views.evidence_download,
        name="evidence_download",
    ),
    path("training/add/", profile_views.training_add, name="training_add"),
    path("training/<int:pk>/edit/", profile_views.training_edit, name="training_edit"),
    path("training/<int:pk>/delete/", profile_views.training_delete, name="training_delete"),
    path(
        "training/<int:pk>/certificate/",
        profile_views.certificate_download,
        name="certificate_download",
    ),
]

organisation_urlpatterns = [
    path("", profile_views.organisation_list, name="organisation_list"),
    path("<int:pk>/", profile_views.organisation_review, name="organisation_review"),
]

declaration_urlpatterns = [
    path("", declaration_views.declaration, name="declaration"),
    path("status/", declaration_views.declaration_status, name="declaration_status"),
    path(
        "<int:pk>/download/",
        declaration_views.declaration_download,
        name="declaration_download",
    ),
    path("versions/", declaration_views.declaration_versions, name="declaration_versions"),
]

urlpatterns = [
    path("people/", include(people_urlpatterns)),
    path("profile/", include(profile_urlpatterns)),
    path("organisations/", include(organisation_urlpatterns)),
    path("declaration/", include(declaration_urlpatterns)),
    path("verify/", declaration_views.declaration_verify, name="declaration_verify"),
]

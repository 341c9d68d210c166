from django.urls import include, path

from researchers.profile import views as profile_views

from . import views

app_name = "researchers"

# Mounted at the site root: the people pages, a researcher's profile and the declaration.
people_urlpatterns = [
    path("", views.people_list, name="people_list"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/roles/", views.person_roles, name="person_roles"),
    path("<int:pk>/profile/", profile_views.person_profile, name="person_profile"),
]

urlpatterns = [
    path("people/", include(people_urlpatterns)),
    path("", include("researchers.profile.urls")),
    path("", include("researchers.declaration.urls")),
    path("", include("researchers.data_export.urls")),
]

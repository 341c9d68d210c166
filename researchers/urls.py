from django.urls import include, path

from . import views

app_name = "researchers"

# Mounted at the site root: people pages live under people/, and the public verification page
# of a signed declaration has a short address of its own that fits on paper.
people_urlpatterns = [
    path("", views.people_list, name="people_list"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/roles/", views.person_roles, name="person_roles"),
]

urlpatterns = [
    path("people/", include(people_urlpatterns)),
]

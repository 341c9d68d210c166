from django.urls import path

from . import views

app_name = "researchers"

urlpatterns = [
    path("", views.people_list, name="people_list"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/roles/", views.person_roles, name="person_roles"),
]

"""The secretariat's screening and fast track, included by projects/urls.py under "projects"."""

from django.urls import path

from . import views

urlpatterns = [
    path("screening/", views.secretariat_list, name="secretariat_list"),
    path("<int:pk>/screen/", views.screen, name="screen"),
]

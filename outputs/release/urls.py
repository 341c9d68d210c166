"""Releasing an approved request and downloading what was released, included by outputs/urls.py
under the "outputs" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/released.zip", views.released_zip, name="released_zip"),
    path("files/<int:file_pk>/released/", views.released_file, name="released_file"),
    path("projects/<int:project_pk>/released/", views.project_outputs, name="project_outputs"),
]

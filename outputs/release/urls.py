"""Releasing an approved request and downloading what was released, included by outputs/urls.py
under the "outputs" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/released.zip", views.released_zip, name="released_zip"),
    path("<int:pk>/release-record.json", views.release_record_json, name="release_record_json"),
    path("<int:pk>/release-record.jws", views.release_record_jws, name="release_record_jws"),
    path("release-records/check/", views.release_record_verify, name="release_record_verify"),
    path("files/<int:file_pk>/released/", views.released_file, name="released_file"),
    path("projects/<int:project_pk>/released/", views.project_outputs, name="project_outputs"),
]

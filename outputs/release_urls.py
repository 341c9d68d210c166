"""Release, downloads and publication, included by outputs/urls.py under "outputs"."""

from django.urls import path

from . import publication_views, release_views

urlpatterns = [
    path("<int:pk>/release/", release_views.release, name="release"),
    path("<int:pk>/released.zip", release_views.released_zip, name="released_zip"),
    path("files/<int:file_pk>/released/", release_views.released_file, name="released_file"),
    path("files/<int:file_pk>/publication/", publication_views.publication, name="publication"),
    path(
        "projects/<int:project_pk>/released/",
        release_views.project_outputs,
        name="project_outputs",
    ),
    path("projects/<int:project_pk>/waiver/", publication_views.waiver, name="waiver"),
]

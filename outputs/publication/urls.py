"""Where a released output was published, and the secretariat's waiver, included by
outputs/urls.py under the "outputs" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("files/<int:file_pk>/publication/", views.publication, name="publication"),
    path("projects/<int:project_pk>/waiver/", views.waiver, name="waiver"),
]

"""The check results pages, included by outputs/urls.py under the "outputs" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("checking-by-eye/", views.checking_by_eye, name="checking_by_eye"),
    path("files/<int:file_pk>/checks/", views.file_checks, name="file_checks"),
    path("<int:pk>/groups/<int:group_pk>/acro/", views.acro_upload, name="acro_upload"),
]

"""Amending a project and comparing its versions, included by projects/urls.py under
"projects"."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/amend/", views.amend, name="amend"),
    path("<int:pk>/versions/", views.versions, name="versions"),
]

"""A person's copy of their data, included by researchers/urls.py under "researchers"."""

from django.urls import path

from . import views

urlpatterns = [
    path("your-data/", views.data_export, name="data_export"),
    path("your-data/<uuid:pk>/download/", views.data_export_download, name="data_export_download"),
]

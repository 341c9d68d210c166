"""Starting and closing a project, included by projects/urls.py under "projects"."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/activate/", views.activate, name="activate"),
    path("<int:pk>/schedule-start/", views.schedule_start, name="schedule_start"),
    path("<int:pk>/close/", views.close, name="close"),
]

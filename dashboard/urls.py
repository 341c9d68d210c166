from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.start, name="start"),
    path("dashboard/", views.home, name="home"),
]

from django.urls import path

from . import views

app_name = "health"

urlpatterns = [
    path("", views.live, name="live"),
    path("status/", views.status, name="status"),
]

from django.urls import path

from . import information_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.start, name="start"),
    path("dashboard/", views.home, name="home"),
    path("accessibility/", information_views.accessibility, name="accessibility"),
    path("privacy/", information_views.privacy, name="privacy"),
    path("cookies/", information_views.cookies, name="cookies"),
]

"""Erasure requests, included by retention/urls.py under "erasure/"."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.erasure_request, name="erasure_request"),
    path("<int:pk>/withdraw/", views.erasure_withdraw, name="erasure_withdraw"),
    path("requests/", views.erasure_queue, name="erasure_queue"),
    path("requests/<int:pk>/", views.erasure_decide, name="erasure_decide"),
]

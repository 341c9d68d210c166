"""Data owners' consent and their representatives, included by projects/urls.py under
"projects"."""

from django.urls import path

from . import views

urlpatterns = [
    path("consent/", views.consent_queue, name="consent_queue"),
    path("<int:pk>/consent/", views.consent, name="consent"),
    path("data-owners/", views.representatives, name="representatives"),
]

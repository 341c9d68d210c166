"""The Research Accreditation Panel: assigning reviewers, reviewing and the decision, included
by projects/urls.py under "projects"."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/panel/", views.panel, name="panel"),
    path("reviews/", views.reviewer_queue, name="reviewer_queue"),
    path("<int:pk>/review/", views.review, name="review"),
]

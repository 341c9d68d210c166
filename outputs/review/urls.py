"""The output checkers' addresses, included by outputs/urls.py under the "outputs" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("checking/", views.queue, name="queue"),
    path("checking/<int:pk>/", views.review, name="review"),
]

"""The output checkers' addresses, included by outputs/urls.py under the "outputs" namespace."""

from django.urls import path

from . import review_views

urlpatterns = [
    path("checking/", review_views.queue, name="queue"),
    path("checking/<int:pk>/", review_views.review, name="review"),
]

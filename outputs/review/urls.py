"""The output checkers' addresses, included by outputs/urls.py under the "outputs" namespace:
the queue, the review page of a request, and one address for each step taken on it."""

from django.urls import path

from . import views

urlpatterns = [
    path("checking/", views.queue, name="queue"),
    path("checking/<int:pk>/", views.review, name="review"),
    path("checking/<int:pk>/groups/<int:group_pk>/", views.review_group, name="review_group"),
    path("checking/<int:pk>/submit/", views.review_submit, name="review_submit"),
    path(
        "checking/<int:pk>/approve/",
        views.output_request_approve,
        name="output_request_approve",
    ),
    path("checking/<int:pk>/return/", views.output_request_return, name="output_request_return"),
    path("checking/<int:pk>/reject/", views.output_request_reject, name="output_request_reject"),
]

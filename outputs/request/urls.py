"""Writing an output request, included by outputs/urls.py under the "outputs" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("projects/<int:project_pk>/", views.output_request_list, name="output_request_list"),
    path(
        "projects/<int:project_pk>/new/", views.output_request_create, name="output_request_create"
    ),
    path("<int:pk>/", views.output_request_detail, name="output_request_detail"),
    path("<int:pk>/groups/new/", views.group_add, name="group_add"),
    path("<int:pk>/groups/<int:group_pk>/", views.group_edit, name="group_edit"),
    path("<int:pk>/groups/<int:group_pk>/files/new/", views.file_add, name="file_add"),
    path("files/<int:file_pk>/replace/", views.file_replace, name="file_replace"),
    path("files/<int:file_pk>/remove/", views.file_remove, name="file_remove"),
    path("files/<int:file_pk>/download/", views.file_download, name="file_download"),
    path("<int:pk>/submit/", views.output_request_submit, name="output_request_submit"),
    path("<int:pk>/withdraw/", views.output_request_withdraw, name="output_request_withdraw"),
]

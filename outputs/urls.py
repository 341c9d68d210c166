from django.urls import include, path

from . import request_views

app_name = "outputs"

urlpatterns = [
    # Writing an output request
    path("projects/<int:project_pk>/", request_views.request_list, name="request_list"),
    path("projects/<int:project_pk>/new/", request_views.request_create, name="request_create"),
    path("<int:pk>/", request_views.request_detail, name="request_detail"),
    path("<int:pk>/groups/new/", request_views.group_add, name="group_add"),
    path("<int:pk>/groups/<int:group_pk>/", request_views.group_edit, name="group_edit"),
    path("<int:pk>/groups/<int:group_pk>/files/new/", request_views.file_add, name="file_add"),
    path("files/<int:file_pk>/replace/", request_views.file_replace, name="file_replace"),
    path("files/<int:file_pk>/remove/", request_views.file_remove, name="file_remove"),
    path("files/<int:file_pk>/download/", request_views.file_download, name="file_download"),
    path("<int:pk>/submit/", request_views.request_submit, name="request_submit"),
    path("<int:pk>/withdraw/", request_views.request_withdraw, name="request_withdraw"),
    path("", include("outputs.check_urls")),
    path("", include("outputs.release_urls")),
    path("", include("outputs.review_urls")),
]

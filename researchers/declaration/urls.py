"""The confidentiality declaration, and the public verification of a signed one (a short address
of its own that fits on paper), included by researchers/urls.py under "researchers"."""

from django.urls import include, path

from . import views

declaration_urlpatterns = [
    path("", views.declaration, name="declaration"),
    path("status/", views.declaration_status, name="declaration_status"),
    path(
        "<int:pk>/download/",
        views.declaration_download,
        name="declaration_download",
    ),
    path("versions/", views.declaration_versions, name="declaration_versions"),
    path("versions/sign-by/", views.declaration_sign_by, name="declaration_sign_by"),
]

urlpatterns = [
    path("declaration/", include(declaration_urlpatterns)),
    path("verify/", views.declaration_verify, name="declaration_verify"),
]

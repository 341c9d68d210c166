"""An output request's way from draft to release, one sub-domain after another, all under the
"outputs" namespace."""

from django.urls import include, path

app_name = "outputs"

urlpatterns = [
    path("", include("outputs.request.urls")),
    path("", include("outputs.check.urls")),
    path("", include("outputs.release.urls")),
    path("", include("outputs.publication.urls")),
    path("", include("outputs.review.urls")),
]

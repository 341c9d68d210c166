"""The secretariat's retention pages, under /retention/."""

from django.urls import include, path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("versions/<int:pk>/", views.schedule_version, name="schedule_version"),
    path("rules/<slug:kind>/", views.rule_edit, name="rule_edit"),
    path("confirm/", views.schedule_confirm, name="schedule_confirm"),
    path("holds/", views.hold_list, name="hold_list"),
    path("holds/<int:pk>/lift/", views.hold_lift, name="hold_lift"),
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("erasure/", include("retention.erasure.urls")),
    path(
        "certificates/<int:pk>/download/",
        views.certificate_download,
        name="certificate_download",
    ),
]

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("report.csv", views.report_csv, name="report_csv"),
    path("pdf/", views.export_list, name="export_list"),
    path("pdf/<uuid:pk>/", views.export_detail, name="export_detail"),
    path("pdf/<uuid:pk>/status.json", views.export_status, name="export_status"),
    path("pdf/<uuid:pk>/download/", views.export_download, name="export_download"),
]

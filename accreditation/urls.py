from django.urls import path

from . import views

app_name = "accreditation"

urlpatterns = [
    path("", views.application_detail, name="application_detail"),
    path("start/", views.application_start, name="application_start"),
    path("renew/", views.application_renew, name="application_renew"),
    path("application/", views.application_edit, name="application_edit"),
    path("application/submit/", views.application_submit, name="application_submit"),
    path("application/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("supervision/<int:pk>/", views.supervision, name="supervision"),
    path("applications/", views.queue, name="queue"),
    path("applications/<int:pk>/", views.screen, name="screen"),
    path("accreditations/<int:pk>/", views.accreditation_detail, name="accreditation_detail"),
]

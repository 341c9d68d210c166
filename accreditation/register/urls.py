from django.urls import path

from . import views as register

app_name = "researcher_register"

urlpatterns = [
    path("", register.register_list, name="list"),
    path("download/", register.register_csv, name="csv"),
]

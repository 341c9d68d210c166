from django.urls import path

from . import views

app_name = "legislation"

urlpatterns = [
    path("legislation/", views.act_list, name="act_list"),
    path("legislation/new/", views.act_create, name="act_create"),
    path("legislation/<slug:slug>/", views.act_detail, name="act_detail"),
    path("legislation/<slug:slug>/edit/", views.act_edit, name="act_edit"),
    path("datasets/", views.dataset_list, name="dataset_list"),
    path("datasets/new/", views.dataset_create, name="dataset_create"),
    path("datasets/<slug:slug>/", views.dataset_detail, name="dataset_detail"),
    path("datasets/<slug:slug>/edit/", views.dataset_edit, name="dataset_edit"),
]

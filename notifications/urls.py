from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("<int:pk>/", views.notification_open, name="notification_open"),
    path("read/", views.notifications_mark_all_read, name="mark_all_read"),
]

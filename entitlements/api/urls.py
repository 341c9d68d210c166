from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("schema/", views.Schema.as_view(), name="schema"),
    path("docs/", views.documentation, name="docs"),
    path("v1/entitlements/", views.EntitlementList.as_view(), name="entitlement_list"),
    path("v1/passports/", views.Passport.as_view(), name="passport"),
]

from django.urls import path

from . import me, registers, views

app_name = "api"

urlpatterns = [
    path("schema/", views.Schema.as_view(), name="schema"),
    path("docs/", views.documentation, name="docs"),
    path("v1/entitlements/", views.EntitlementList.as_view(), name="entitlement_list"),
    path("v1/passports/", views.Passport.as_view(), name="passport"),
    path("v1/me/", me.Me.as_view(), name="me"),
    path("v1/me/passport/", me.MyPassport.as_view(), name="my_passport"),
    path(
        "v1/registers/researchers/",
        registers.ResearcherRegister.as_view(),
        name="researcher_register",
    ),
    path("v1/registers/projects/", registers.ProjectRegister.as_view(), name="project_register"),
]

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from dashboard import views as dashboard_views
from entitlements.api import views as entitlement_views
from researchers.two_factor.views import passkey_remove

urlpatterns = [
    path("", include("dashboard.urls")),
    # Ahead of allauth's own, which would let staff remove their last second factor.
    path(
        "accounts/2fa/webauthn/keys/<int:pk>/remove/",
        passkey_remove,
        name="mfa_remove_webauthn",
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("researchers.urls")),
    path("audit/", include("audit.urls")),
    path("health/", include("health.urls")),
    path("", include("legislation.urls")),
    path("accreditation/", include("accreditation.urls")),
    path("register/researchers/", include("accreditation.register.urls")),
    path("register/projects/", include("projects.register.urls")),
    path("projects/", include("projects.urls")),
    path("outputs/", include("outputs.urls")),
    path("reports/", include("reports.urls")),
    path("retention/", include("retention.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/", include("entitlements.api.urls")),
    path("api-tokens/", include("entitlements.urls")),
    path(".well-known/jwks.json", entitlement_views.Jwks.as_view(), name="jwks"),
    path("django-admin/", admin.site.urls),
]

handler400 = dashboard_views.bad_request
handler403 = dashboard_views.permission_denied
handler404 = dashboard_views.page_not_found
handler500 = dashboard_views.server_error

if settings.DEBUG:
    # Lets the error pages be seen in development without turning DEBUG off.
    urlpatterns += [
        path("errors/<int:status>/", dashboard_views.error_preview),
    ]

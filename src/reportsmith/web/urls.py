"""The project's URLconf. Every view is wrapped by ``access.allow``; every pattern is in access.yaml."""

from django.urls import include, path

from .adminsite import site as admin_site

urlpatterns = [
    path("", include("reportsmith.web.accounts.urls")),
    path("", include("reportsmith.web.workspace.urls")),
    path("api/", include("reportsmith.web.api.urls")),
    path("desk/", include("reportsmith.web.desk.urls")),
    path("api/desk/", include("reportsmith.web.desk.api_urls")),
    path("admin/", admin_site.urls),  # the admin role only (reportsmith.web.adminsite)
]

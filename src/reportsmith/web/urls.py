"""The project's URLconf. Every view is wrapped by ``access.allow``; every pattern is in access.yaml."""

from django.urls import include, path

urlpatterns = [
    path("", include("reportsmith.web.accounts.urls")),
    path("", include("reportsmith.web.workspace.urls")),
    path("api/", include("reportsmith.web.api.urls")),
    path("desk/", include("reportsmith.web.desk.urls")),
    path("api/desk/", include("reportsmith.web.desk.api_urls")),
]

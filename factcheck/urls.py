from django.contrib import admin
from django.urls import include, path

from claims.api.factchecktools import GoogleFactCheckSearchView
from claims.views import home, verdict_page
from factcheck.metrics import metrics_view
from factcheck.views import healthz

urlpatterns = [
    path("", home, name="site-home"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/v1/", include("claims.api.urls")),
    path("api/v1/", include("sources.api.urls")),
    path("api/v1/", include("webhooks.api.urls")),
    path("api/v1/", include("exports.api.urls")),
    # Google Fact Check Tools' own path, so its client libraries work against this service.
    path(
        "v1alpha1/claims:search", GoogleFactCheckSearchView.as_view(), name="factchecktools-search"
    ),
    path("verdicts/<int:pk>/", verdict_page, name="verdict-page"),
]

handler404 = "factcheck.api.errors.json_page_not_found"

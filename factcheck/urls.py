from django.contrib import admin
from django.urls import include, path

from factcheck.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("claims.api.urls")),
    path("api/v1/", include("sources.api.urls")),
]

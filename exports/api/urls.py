from django.urls import path

from exports.api import views

urlpatterns = [
    path("exports/", views.ExportListView.as_view(), name="api-export-list"),
    path("exports/<uuid:pk>/", views.ExportDetailView.as_view(), name="api-export-detail"),
    path(
        "exports/<uuid:pk>/download",
        views.ExportDownloadView.as_view(),
        name="api-export-download",
    ),
]

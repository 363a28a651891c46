from django.urls import path

from sources.api.views import SourceListView

urlpatterns: list = [
    path("sources/", SourceListView.as_view(), name="api-source-list"),
]

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from claims.api.views import (
    ClaimantListView,
    ClaimListView,
    ClaimReviewFeedView,
    ClaimReviewView,
    FactCheckSearchView,
    RatingListView,
    VerdictDetailView,
    VerdictListView,
)

# `<int:pk>` routes match digits only, so `claims/match` and `claims:search` stay free.
urlpatterns: list = [
    path("verdicts/", VerdictListView.as_view(), name="api-verdict-list"),
    path("verdicts/<int:pk>/", VerdictDetailView.as_view(), name="api-verdict-detail"),
    path(
        "verdicts/<int:pk>/claimreview", ClaimReviewView.as_view(), name="api-verdict-claimreview"
    ),
    path("claimreview-feed", ClaimReviewFeedView.as_view(), name="api-claimreview-feed"),
    path("claims/", ClaimListView.as_view(), name="api-claim-list"),
    path("claims:search", FactCheckSearchView.as_view(), name="api-claims-search"),
    path("claimants/", ClaimantListView.as_view(), name="api-claimant-list"),
    path("ratings/", RatingListView.as_view(), name="api-rating-list"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

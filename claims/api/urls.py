from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from claims.api import workflow as workflow_api
from claims.api.claims import ClaimantListView, ClaimListView, RatingListView
from claims.api.factchecktools import FactCheckSearchView
from claims.api.match import ClaimMatchView
from claims.api.spot import ClaimSpotView
from claims.api.verdicts import (
    ClaimReviewFeedView,
    ClaimReviewView,
    VerdictDetailView,
    VerdictListView,
)

# `<int:pk>` routes match digits only, so `claims/match`, `claims:search` and `claims:spot` stay
# free.
urlpatterns = [
    # Public reads.
    path("verdicts/", VerdictListView.as_view(), name="api-verdict-list"),
    path("verdicts/<int:pk>/", VerdictDetailView.as_view(), name="api-verdict-detail"),
    path(
        "verdicts/<int:pk>/claimreview", ClaimReviewView.as_view(), name="api-verdict-claimreview"
    ),
    path("claimreview-feed", ClaimReviewFeedView.as_view(), name="api-claimreview-feed"),
    path("claims/", ClaimListView.as_view(), name="api-claim-list"),
    path("claims:search", FactCheckSearchView.as_view(), name="api-claims-search"),
    path("claims/match", ClaimMatchView.as_view(), name="claim-match"),
    path("claims:spot", ClaimSpotView.as_view(), name="api-claims-spot"),
    path("claimants/", ClaimantListView.as_view(), name="api-claimant-list"),
    path("ratings/", RatingListView.as_view(), name="api-rating-list"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's start-up script served as a file of its own (?script), not inline: the
    # Content-Security-Policy runs no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Token auth and the editorial workflow for staff clients.
    path("auth/token/", workflow_api.TokenView.as_view(), name="api-token"),
    path("claims/<int:pk>/verdict", workflow_api.ClaimVerdictView.as_view(), name="claim-verdict"),
    path("claims/<int:pk>/events/", workflow_api.ClaimEventsView.as_view(), name="claim-events"),
    re_path(
        rf"^claims/(?P<pk>[0-9]+)/(?P<action>{workflow_api.ACTION_PATTERN})/$",
        workflow_api.ClaimActionView.as_view(),
        name="claim-action",
    ),
]

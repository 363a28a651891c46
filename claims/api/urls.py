from django.urls import path, re_path

from claims.api import workflow_views
from claims.api.match import ClaimMatchView

urlpatterns = [
    # Matching; a literal path, so no claims/<pk>/ route can take it.
    path("claims/match", ClaimMatchView.as_view(), name="claim-match"),
    # Token auth and the editorial workflow for staff clients.
    path("auth/token/", workflow_views.TokenView.as_view(), name="api-token"),
    path(
        "claims/<int:pk>/verdict", workflow_views.ClaimVerdictView.as_view(), name="claim-verdict"
    ),
    path("claims/<int:pk>/events/", workflow_views.ClaimEventsView.as_view(), name="claim-events"),
    re_path(
        rf"^claims/(?P<pk>[0-9]+)/(?P<action>{workflow_views.ACTION_PATTERN})/$",
        workflow_views.ClaimActionView.as_view(),
        name="claim-action",
    ),
]

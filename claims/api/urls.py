from django.urls import path  # noqa: F401

urlpatterns: list = []

# Issue 3: token auth and the editorial workflow for staff clients (appended block).
from django.urls import path as _path  # noqa: E402
from django.urls import re_path as _re_path  # noqa: E402

from claims.api import workflow_views  # noqa: E402

urlpatterns += [
    _path("auth/token/", workflow_views.TokenView.as_view(), name="api-token"),
    _path(
        "claims/<int:pk>/verdict", workflow_views.ClaimVerdictView.as_view(), name="claim-verdict"
    ),
    _path("claims/<int:pk>/events/", workflow_views.ClaimEventsView.as_view(), name="claim-events"),
    _re_path(
        rf"^claims/(?P<pk>[0-9]+)/(?P<action>{workflow_views.ACTION_PATTERN})/$",
        workflow_views.ClaimActionView.as_view(),
        name="claim-action",
    ),
]

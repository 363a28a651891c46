from django.urls import path

from claims.api.match import ClaimMatchView

urlpatterns: list = []

# Claim matching (issue 6); before any claims/<int:pk>/ route.
urlpatterns += [path("claims/match", ClaimMatchView.as_view(), name="claim-match")]

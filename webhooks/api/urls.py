from django.urls import path

from webhooks.api import views

urlpatterns = [
    path("webhooks/", views.SubscriptionListView.as_view(), name="api-webhook-list"),
    path("webhooks/<int:pk>/", views.SubscriptionDetailView.as_view(), name="api-webhook-detail"),
    path(
        "webhooks/<int:pk>/rotate-secret",
        views.SubscriptionRotateView.as_view(),
        name="api-webhook-rotate",
    ),
    path(
        "webhooks/<int:pk>/deliveries/",
        views.DeliveryListView.as_view(),
        name="api-webhook-deliveries",
    ),
    path("webhooks/<int:pk>/replay", views.ReplayView.as_view(), name="api-webhook-replay"),
]

from django.urls import path

from mentorhaven.retention import views

urlpatterns = [
    path("", views.retention_home, name="retention"),
    path("<uuid:org_id>/policy", views.policy_set, name="retention_policy_set"),
    path("<uuid:org_id>/holds", views.hold_place, name="retention_hold_place"),
    path("holds/<uuid:hold_id>/release", views.hold_release, name="retention_hold_release"),
]

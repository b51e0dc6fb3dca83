from django.urls import path

from mentorhaven.programs import views

urlpatterns = [
    path("invitations/", views.invitations_home, name="invitations_home"),
    path("o/<uuid:org_id>/invitations/", views.invitations, name="invitations"),
    path("o/<uuid:org_id>/invitations/bulk/", views.invitations_bulk, name="invitations_bulk"),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
]

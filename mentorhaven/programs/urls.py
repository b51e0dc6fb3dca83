from django.urls import path

from mentorhaven.programs import setup_views, views

urlpatterns = [
    path("invitations/", views.invitations_home, name="invitations_home"),
    path("o/<uuid:org_id>/invitations/", views.invitations, name="invitations"),
    path("o/<uuid:org_id>/invitations/bulk/", views.invitations_bulk, name="invitations_bulk"),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("setup/", setup_views.programs_home, name="programs_home"),
    path("o/<uuid:org_id>/programs/", setup_views.programs_manage, name="programs_manage"),
    path("<uuid:program_id>/edit/", setup_views.program_edit, name="program_edit"),
    path("<uuid:program_id>/archive/", setup_views.program_archive_view, name="program_archive"),
]

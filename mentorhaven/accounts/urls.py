from django.urls import path

from mentorhaven.accounts import sso_views, token_views, views
from mentorhaven.programs import views as program_views

# Included before allauth's URLs: the paths below that allauth also defines (sessions, e-mail)
# are deliberately ours.
urlpatterns = [
    path("security/", views.security, name="account_security"),
    path("tokens/", token_views.tokens, name="account_tokens"),
    path("tokens/<uuid:public_id>/revoke/", token_views.token_revoke, name="account_token_revoke"),
    path("profile/", views.profile, name="account_profile"),
    path("sessions/", views.sessions, name="usersessions_list"),
    path("sessions/end/", views.session_end_view, name="account_session_end"),
    path("email/", views.email_change, name="account_email"),
    path("sso/", sso_views.sso_start, name="sso_start"),
    path("sso/o/<uuid:org_id>/", sso_views.sso_settings, name="sso_settings"),
    path("invitation/accept/", program_views.invitation_accept_view, name="invitation_accept"),
    path("invitation/<str:token>/", program_views.invitation_open, name="invitation_open"),
]

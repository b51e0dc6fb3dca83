from django.urls import include, path

from mentorhaven.api import api
from mentorhaven.programs.setup_views import setup

urlpatterns = [
    path("", include("mentorhaven.operations.urls")),
    path("", include("mentorhaven.web.urls")),
    path("setup/", setup, name="setup"),
    path("accounts/", include("mentorhaven.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("programs/", include("mentorhaven.programs.urls")),
    path("relationships/", include("mentorhaven.mentoring.urls")),
    path("matching/", include("mentorhaven.matching.urls")),
    path("messages/", include("mentorhaven.messaging.urls")),
    path("privacy/", include("mentorhaven.privacy.urls")),
    path("retention/", include("mentorhaven.retention.urls")),
    path("privacy/", include("mentorhaven.consent.urls")),
    path("files/", include("mentorhaven.files.urls")),
    path("gates/", include("mentorhaven.gates.urls")),
    path("events/", include("mentorhaven.community.urls")),
    path("surveys/", include("mentorhaven.community.survey_urls")),
    path("library/", include("mentorhaven.library.urls")),
    path("reporting/", include("mentorhaven.reporting.urls")),
    path("incidents/", include("mentorhaven.incidents.urls")),
    path("assistant/", include("mentorhaven.assistant.urls")),
    path("s/", include("mentorhaven.files.share_urls")),
    path("api/v1/", api.urls),
]

handler400 = "mentorhaven.web.views.bad_request"
handler403 = "mentorhaven.web.views.permission_denied"
handler404 = "mentorhaven.web.views.page_not_found"
handler500 = "mentorhaven.web.views.server_error"

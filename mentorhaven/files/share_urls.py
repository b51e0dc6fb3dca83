"""Public share pages, mounted at ``/s/`` (they need no sign-in: the token is the credential)."""

from django.urls import path

from mentorhaven.files import share_views

urlpatterns = [
    path("<str:token>", share_views.share_page, name="share_page"),
    path("<str:token>/download", share_views.share_download, name="share_download"),
]

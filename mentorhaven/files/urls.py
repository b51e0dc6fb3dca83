from django.urls import path

from mentorhaven.files import views

urlpatterns = [
    path("r/<uuid:relationship_id>/", views.relationship_files, name="relationship_files"),
    path("<uuid:file_id>/", views.file_detail, name="file_detail"),
    path("<uuid:file_id>/content/", views.file_content, name="file_content"),
    path("<uuid:file_id>/delete/", views.file_delete_view, name="file_delete"),
    path("<uuid:file_id>/share-links/", views.share_link_create_view, name="share_link_create"),
    path(
        "share-links/<uuid:link_id>/revoke/", views.share_link_revoke_view, name="share_link_revoke"
    ),
]

from django.urls import path

from mentorhaven.privacy import views

urlpatterns = [
    path("", views.privacy_home, name="privacy_home"),
    path("data", views.data_map, name="privacy_data"),
    path("access-log", views.access_log, name="privacy_access_log"),
    path("erasure", views.erasure, name="privacy_erasure"),
    path("export", views.export_request, name="privacy_export_request"),
    path("exports/<uuid:export_id>", views.export_status, name="privacy_export_status"),
    path("exports/<uuid:export_id>/download", views.export_link, name="privacy_export_link"),
    path("exports/file/<str:token>", views.export_download, name="privacy_export_download"),
]

from django.urls import path

from mentorhaven.privacy import views

urlpatterns = [
    path("", views.privacy_home, name="privacy_home"),
    path("data", views.data_map, name="privacy_data"),
    path("access-log", views.access_log, name="privacy_access_log"),
    path("erasure", views.erasure, name="privacy_erasure"),
]

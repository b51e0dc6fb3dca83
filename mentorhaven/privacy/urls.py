from django.urls import path

from mentorhaven.privacy import views

urlpatterns = [
    path("", views.privacy_home, name="privacy_home"),
]

from django.urls import path

from mentorhaven.accounts import views

urlpatterns = [
    path("security/", views.security, name="account_security"),
]

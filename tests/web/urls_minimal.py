"""A URLconf routing only the dashboard, to check that navigation follows the routes in force."""

from django.urls import path

from mentorhaven.web import views

urlpatterns = [path("only/dashboard/", views.dashboard, name="dashboard")]

from django.urls import path

from mentorhaven.library import views

app_name = "library"

urlpatterns = [
    path("p/<uuid:program_id>/", views.resource_list, name="resource_list"),
    path("p/<uuid:program_id>/new/", views.resource_create, name="resource_create"),
    path("<uuid:resource_id>/", views.resource_detail, name="resource_detail"),
    path("<uuid:resource_id>/edit/", views.resource_edit, name="resource_edit"),
    path("<uuid:resource_id>/archive/", views.resource_archive, name="resource_archive"),
    path("<uuid:resource_id>/content", views.resource_content, name="resource_content"),
]

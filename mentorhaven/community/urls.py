from django.urls import path

from mentorhaven.community import views

app_name = "community"

urlpatterns = [
    path("p/<uuid:program_id>/", views.event_list, name="event_list"),
    path("p/<uuid:program_id>/new/", views.event_create, name="event_create"),
    path("<uuid:event_id>/", views.event_detail, name="event_detail"),
    path("<uuid:event_id>/edit/", views.event_edit, name="event_edit"),
    path("<uuid:event_id>/cancel/", views.event_cancel, name="event_cancel"),
    path("<uuid:event_id>/register/", views.register, name="register"),
    path("<uuid:event_id>/unregister/", views.unregister, name="unregister"),
    path("<uuid:event_id>/check-in/", views.check_in, name="check_in"),
    path("<uuid:event_id>/event.ics", views.event_ics, name="event_ics"),
]

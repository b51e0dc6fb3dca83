from django.urls import path

from mentorhaven.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("o/<uuid:org_id>/open/", views.incident_open, name="open"),
    path("notices/", views.notice_list, name="notices"),
    path("not-me/", views.not_me, name="not_me"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<uuid:alert_id>/open/", views.alert_open_incident, name="alert_open"),
    path("alerts/<uuid:alert_id>/dismiss/", views.alert_dismiss, name="alert_dismiss"),
    path("<uuid:incident_id>/", views.incident_detail, name="detail"),
    path("<uuid:incident_id>/entries/", views.incident_entry_add, name="entry_add"),
    path("<uuid:incident_id>/stage/", views.incident_advance, name="advance"),
    path("<uuid:incident_id>/contain/", views.incident_contain, name="contain"),
    path("<uuid:incident_id>/unlock/", views.incident_unlock, name="unlock"),
    path("<uuid:incident_id>/notify/", views.incident_notify, name="notify"),
    path("<uuid:incident_id>/impact/", views.incident_impact, name="impact"),
    path("<uuid:incident_id>/regulator/", views.incident_regulator_notified, name="regulator"),
]

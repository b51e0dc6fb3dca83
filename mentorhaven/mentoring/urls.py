from django.urls import path

from mentorhaven.mentoring import views

urlpatterns = [
    path("", views.relationship_list, name="relationship_list"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("program/<uuid:program_id>/", views.program_overview, name="relationship_program"),
    path("<uuid:relationship_id>/", views.relationship_detail, name="relationship_detail"),
    path("<uuid:relationship_id>/accept/", views.relationship_accept, name="relationship_accept"),
    path("<uuid:relationship_id>/end/", views.relationship_end, name="relationship_end"),
    path("<uuid:relationship_id>/survey/", views.relationship_survey, name="relationship_survey"),
    path(
        "<uuid:relationship_id>/certificate/",
        views.relationship_certificate,
        name="relationship_certificate",
    ),
    path("<uuid:relationship_id>/manage/", views.relationship_manage, name="relationship_manage"),
    path(
        "<uuid:relationship_id>/rematch/", views.relationship_rematch, name="relationship_rematch"
    ),
    path("<uuid:relationship_id>/goals/", views.goal_add, name="goal_add"),
    path("<uuid:relationship_id>/notes/", views.note_add, name="note_add"),
    path("<uuid:relationship_id>/meetings/", views.meeting_add, name="meeting_add"),
    path("goals/<uuid:goal_id>/progress/", views.goal_progress, name="goal_progress"),
    path("goals/<uuid:goal_id>/status/", views.goal_status, name="goal_status"),
    path("goals/<uuid:goal_id>/milestones/", views.milestone_add, name="milestone_add"),
    path("milestones/<uuid:milestone_id>/toggle/", views.milestone_toggle, name="milestone_toggle"),
    path("notes/<uuid:note_id>/edit/", views.note_edit, name="note_edit"),
    path("notes/<uuid:note_id>/delete/", views.note_delete, name="note_delete"),
    *(
        path(
            f"meetings/<uuid:meeting_id>/{answer}/",
            views.meeting_answer,
            {"answer": answer},
            name=f"meeting_{answer}",
        )
        for answer in ("accept", "decline", "cancel")
    ),
    path("meetings/<uuid:meeting_id>/feedback/", views.meeting_feedback, name="meeting_feedback"),
    path("meetings/<uuid:meeting_id>.ics", views.meeting_ics, name="meeting_ics"),
]

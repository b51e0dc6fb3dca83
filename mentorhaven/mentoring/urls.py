from django.urls import path

from mentorhaven.mentoring.views import goals, meetings, notes, oversight, relationships

urlpatterns = [
    path("", relationships.relationship_list, name="relationship_list"),
    path("calendar/", meetings.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", meetings.calendar_feed, name="calendar_feed"),
    path("program/<uuid:program_id>/", oversight.program_overview, name="relationship_program"),
    path("<uuid:relationship_id>/", relationships.relationship_detail, name="relationship_detail"),
    path(
        "<uuid:relationship_id>/accept/",
        relationships.relationship_accept,
        name="relationship_accept",
    ),
    path("<uuid:relationship_id>/end/", relationships.relationship_end, name="relationship_end"),
    path(
        "<uuid:relationship_id>/survey/",
        relationships.relationship_survey,
        name="relationship_survey",
    ),
    path(
        "<uuid:relationship_id>/certificate/",
        relationships.relationship_certificate,
        name="relationship_certificate",
    ),
    path(
        "<uuid:relationship_id>/manage/",
        relationships.relationship_manage,
        name="relationship_manage",
    ),
    path(
        "<uuid:relationship_id>/rematch/",
        relationships.relationship_rematch,
        name="relationship_rematch",
    ),
    path("<uuid:relationship_id>/goals/", goals.goal_add, name="goal_add"),
    path("<uuid:relationship_id>/notes/", notes.note_add, name="note_add"),
    path("<uuid:relationship_id>/meetings/", meetings.meeting_add, name="meeting_add"),
    path("goals/<uuid:goal_id>/progress/", goals.goal_progress, name="goal_progress"),
    path("goals/<uuid:goal_id>/status/", goals.goal_status, name="goal_status"),
    path("goals/<uuid:goal_id>/milestones/", goals.milestone_add, name="milestone_add"),
    path("milestones/<uuid:milestone_id>/toggle/", goals.milestone_toggle, name="milestone_toggle"),
    path("notes/<uuid:note_id>/edit/", notes.note_edit, name="note_edit"),
    path("notes/<uuid:note_id>/delete/", notes.note_delete, name="note_delete"),
    *(
        path(
            f"meetings/<uuid:meeting_id>/{answer}/",
            meetings.meeting_answer,
            {"answer": answer},
            name=f"meeting_{answer}",
        )
        for answer in ("accept", "decline", "cancel")
    ),
    path(
        "meetings/<uuid:meeting_id>/feedback/", meetings.meeting_feedback, name="meeting_feedback"
    ),
    path("meetings/<uuid:meeting_id>.ics", meetings.meeting_ics, name="meeting_ics"),
]

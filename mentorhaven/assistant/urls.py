from django.urls import path

from mentorhaven.assistant import views

urlpatterns = [
    path("goals/<uuid:goal_id>/coach/", views.goal_coach, name="assistant_goal_coach"),
    path(
        "goals/<uuid:goal_id>/coach/accept/",
        views.goal_coach_accept,
        name="assistant_goal_coach_accept",
    ),
    path(
        "relationships/<uuid:relationship_id>/agenda/",
        views.meeting_agenda,
        name="assistant_meeting_agenda",
    ),
    path(
        "relationships/<uuid:relationship_id>/prompts/",
        views.conversation_prompts,
        name="assistant_conversation_prompts",
    ),
    path(
        "surveys/<uuid:survey_id>/questions/<uuid:question_id>/themes/",
        views.program_themes,
        name="assistant_program_themes",
    ),
]

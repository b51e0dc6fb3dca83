from django.urls import path

from mentorhaven.matching import views

urlpatterns = [
    path("", views.home, name="matching_home"),
    path("programs/<uuid:program_id>/", views.hub, name="matching_hub"),
    path("programs/<uuid:program_id>/questions/", views.questions, name="matching_questions"),
    path(
        "questions/<uuid:question_id>/delete/",
        views.question_delete,
        name="matching_question_delete",
    ),
    path(
        "programs/<uuid:program_id>/questionnaire/<str:role>/",
        views.questionnaire,
        name="matching_questionnaire",
    ),
    path(
        "programs/<uuid:program_id>/exclusions/", views.exclusion_add, name="matching_exclusion_add"
    ),
    path(
        "exclusions/<uuid:exclusion_id>/remove/",
        views.exclusion_remove,
        name="matching_exclusion_remove",
    ),
    path("programs/<uuid:program_id>/runs/", views.runs, name="matching_runs"),
    path("programs/<uuid:program_id>/managers/", views.manager_add, name="matching_manager_add"),
    path("runs/<uuid:run_id>/", views.run_detail, name="matching_run"),
    path("runs/<uuid:run_id>/pairs/", views.pair_add, name="matching_pair_add"),
    path("runs/<uuid:run_id>/publish/", views.run_publish, name="matching_run_publish"),
    path("runs/<uuid:run_id>/discard/", views.run_discard, name="matching_run_discard"),
    path("pairs/<uuid:pair_id>/remove/", views.pair_remove, name="matching_pair_remove"),
    path("pairs/<uuid:pair_id>/swap/", views.pair_swap, name="matching_pair_swap"),
    path("programs/<uuid:program_id>/suggestions/", views.suggestions, name="matching_suggestions"),
    path("programs/<uuid:program_id>/request/", views.request_mentor, name="matching_request"),
    path("programs/<uuid:program_id>/waitlist/", views.waitlist, name="matching_waitlist"),
    path("programs/<uuid:program_id>/requests/", views.requests, name="matching_requests"),
    path(
        "requests/<uuid:relationship_id>/decline/",
        views.request_decline,
        name="matching_request_decline",
    ),
    path("relationships/<uuid:relationship_id>/why/", views.why, name="matching_why"),
    path("programs/<uuid:program_id>/fairness/", views.fairness_page, name="matching_fairness"),
    path("programs/<uuid:program_id>/console/", views.console_page, name="matching_console"),
    path("programs/<uuid:program_id>/console.csv", views.console_csv, name="matching_console_csv"),
]

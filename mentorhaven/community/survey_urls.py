from django.urls import path

from mentorhaven.community import survey_views as views

app_name = "surveys"

urlpatterns = [
    path("p/<uuid:program_id>/", views.survey_list, name="list"),
    path("p/<uuid:program_id>/new/", views.survey_new, name="new"),
    path("<uuid:survey_id>/", views.survey_answer, name="respond"),
    path("<uuid:survey_id>/results/", views.survey_results, name="results"),
    path("<uuid:survey_id>/close/", views.survey_end, name="close"),
]

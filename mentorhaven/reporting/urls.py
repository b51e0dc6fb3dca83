from django.urls import path

from mentorhaven.reporting import views

app_name = "reporting"

urlpatterns = [
    path("programs/<uuid:program_id>/", views.dashboard, name="dashboard"),
    path("programs/<uuid:program_id>/health.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("programs/<uuid:program_id>/health.pdf", views.export, {"fmt": "pdf"}, name="export_pdf"),
    path("programs/<uuid:program_id>/insights/", views.insights_page, name="insights"),
    path("me/signals/", views.my_signals, name="my_signals"),
    path("o/<uuid:org_id>/policy/", views.policy, name="policy"),
]

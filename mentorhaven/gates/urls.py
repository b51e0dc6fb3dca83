from django.urls import path

from mentorhaven.gates import views

app_name = "gates"

urlpatterns = [
    path("agreement/<uuid:version_id>/", views.agreement, name="agreement"),
    path("p/<uuid:program_id>/agreement/", views.agreement_publish, name="agreement_publish"),
    path("training/", views.training, name="training"),
    path("p/<uuid:program_id>/training/", views.training_figures, name="training_figures"),
    path("o/<uuid:org_id>/break-glass/", views.breakglass_list, name="breakglass_list"),
    path("break-glass/<uuid:grant_id>/", views.breakglass_detail, name="breakglass_detail"),
    path("break-glass/<uuid:grant_id>/read/", views.breakglass_read, name="breakglass_read"),
    path(
        "break-glass/<uuid:grant_id>/<slug:decision>/",
        views.breakglass_decide,
        name="breakglass_decide",
    ),
]

from django.urls import path

from mentorhaven.consent import views

urlpatterns = [
    path("consents", views.consents, name="consent_home"),
    path("consents/<str:purpose>/give", views.consent_give, name="consent_give"),
    path("consents/<str:purpose>/withdraw", views.consent_withdraw, name="consent_withdraw"),
    path("requests", views.my_requests, name="data_requests"),
    path("restriction", views.restriction_start, name="restriction_start"),
    path("restriction/<uuid:restriction_id>/lift", views.restriction_lift, name="restriction_lift"),
    path("requests/queue", views.queue, name="data_request_queue"),
    path("requests/<uuid:request_id>", views.request_detail, name="data_request_detail"),
    path("requests/<uuid:request_id>/status", views.request_status, name="data_request_status"),
]

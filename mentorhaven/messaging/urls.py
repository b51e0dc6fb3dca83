from django.urls import path

from mentorhaven.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("relationship/<uuid:relationship_id>/", views.relationship_conversation, name="open"),
    path("c/<uuid:conversation_id>/", views.conversation, name="conversation"),
    path("c/<uuid:conversation_id>/history/", views.history, name="history"),
    path("c/<uuid:conversation_id>/poll/", views.poll, name="poll"),
    path("c/<uuid:conversation_id>/send/", views.send, name="send"),
    path("c/<uuid:conversation_id>/search/", views.search, name="search"),
    path(
        "c/<uuid:conversation_id>/people/<uuid:user_id>/report/",
        views.report_person,
        name="report_person",
    ),
    path("c/<uuid:conversation_id>/people/<uuid:user_id>/block/", views.block, name="block"),
    path("m/<uuid:message_id>/edit/", views.message_edit, name="message_edit"),
    path("m/<uuid:message_id>/delete/", views.message_delete, name="message_delete"),
    path("m/<uuid:message_id>/report/", views.report_message, name="report_message"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<uuid:notification_id>/", views.notification_open, name="notification"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<uuid:report_id>/", views.report_detail, name="report_detail"),
]

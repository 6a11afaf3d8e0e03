from django.urls import path

from . import run_of_show_views as ros
from . import views

app_name = "workshop"

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("j/<str:code>", views.join, name="join_code"),
    path("p/<str:code>/", views.participant_page, name="participant"),
    path("p/<str:code>/group", views.participant_group, name="participant_group"),
    path("p/<str:code>/language", views.participant_language, name="participant_language"),
    path("screen/<uuid:public_id>/", views.screen, name="screen"),
    path("facilitate/", views.dashboard, name="dashboard"),
    path("facilitate/new", views.session_create, name="session_create"),
    path("facilitate/<uuid:public_id>/", views.control, name="control"),
    path("facilitate/<uuid:public_id>/people", views.room_people, name="room_people"),
    path("facilitate/<uuid:public_id>/step", views.step_go, name="step_go"),
    path("facilitate/<uuid:public_id>/start", views.session_start, name="session_start"),
    path("facilitate/<uuid:public_id>/end", views.session_end, name="session_end"),
    path("facilitate/<uuid:public_id>/joining", views.joining_lock, name="joining_lock"),
    path("facilitate/<uuid:public_id>/join-display", views.join_display, name="join_display"),
    path("facilitate/<uuid:public_id>/groups", views.groups_configure, name="groups_configure"),
    path("facilitate/<uuid:public_id>/move", views.participant_move, name="participant_move"),
    path("facilitate/<uuid:public_id>/languages", views.languages_set, name="languages_set"),
    # The run-of-show editor of a template (staff who may edit templates).
    path("facilitate/templates/<slug:slug>/run-of-show/", ros.editor, name="run_of_show"),
    path("facilitate/templates/<slug:slug>/run-of-show/move", ros.move, name="ros_move"),
    path("facilitate/templates/<slug:slug>/run-of-show/insert", ros.insert, name="ros_insert"),
    path("facilitate/templates/<slug:slug>/run-of-show/delete", ros.delete, name="ros_delete"),
    path(
        "facilitate/templates/<slug:slug>/run-of-show/<int:step_id>/delete",
        ros.delete_confirm,
        name="ros_delete_confirm",
    ),
    path(
        "facilitate/templates/<slug:slug>/run-of-show/<int:step_id>/preview",
        ros.preview,
        name="ros_preview",
    ),
    path(
        "facilitate/templates/<slug:slug>/run-of-show/<int:step_id>/preview/<str:audience>",
        ros.preview_frame,
        name="ros_preview_frame",
    ),
]

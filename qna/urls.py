from django.urls import path

from . import views

app_name = "qna"

urlpatterns = [
    path("p/<str:code>/questions/ask", views.ask, name="ask"),
    path("p/<str:code>/questions/vote", views.vote, name="vote"),
    path("p/<str:code>/questions/mine", views.mine, name="mine"),
    path("p/<str:code>/questions/list", views.questions, name="questions"),
    path("facilitate/<uuid:public_id>/questions", views.moderate, name="moderate"),
    path("facilitate/<uuid:public_id>/questions/list", views.control_list, name="control_list"),
]

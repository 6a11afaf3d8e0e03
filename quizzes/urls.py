from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("p/<str:code>/answer", views.answer, name="answer"),
    path("facilitate/<uuid:public_id>/quiz", views.quiz_control, name="control"),
    path("facilitate/<uuid:public_id>/quiz/moderate", views.moderate, name="moderate"),
    path("facilitate/questions/<int:question_id>/preview", views.preview, name="preview"),
]

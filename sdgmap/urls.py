from django.urls import path

from . import views

app_name = "sdgmap"

urlpatterns = [
    path("sdg/colours.css", views.colours_css, name="colours_css"),
    path("sdg/targets/<str:lang>.json", views.target_texts, name="target_texts"),
    path("p/<str:code>/sdg/card", views.card_save, name="card_save"),
    path("facilitate/<uuid:public_id>/sdg/start", views.exercise_start, name="start"),
    path("facilitate/<uuid:public_id>/sdg/close", views.exercise_close, name="close"),
    path("facilitate/<uuid:public_id>/sdg/time", views.exercise_more_time, name="more_time"),
    path("facilitate/<uuid:public_id>/sdg/reveal", views.exercise_reveal, name="reveal"),
    path("facilitate/<uuid:public_id>/sdg/spotlight", views.exercise_spotlight, name="spotlight"),
    path("facilitate/<uuid:public_id>/sdg/hide", views.exercise_hide, name="hide"),
]

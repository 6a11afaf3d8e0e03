from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("facilitate/<uuid:public_id>/report/", views.report, name="report"),
    path("facilitate/<uuid:public_id>/export/<slug:key>.csv", views.export, name="export"),
    path("p/<str:code>/takeaway/", views.takeaway, name="takeaway"),
]

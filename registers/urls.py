from django.urls import path

from . import views

app_name = "registers"

urlpatterns = [
    path("", views.differences, name="differences"),
    path("listings/<int:pk>/ciw/", views.ciw_record, name="ciw"),
    path("records/<int:pk>/seen/", views.record_seen, name="seen"),
]

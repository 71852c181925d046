from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("<slug:slug>/", views.report, name="report"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
]

from django.urls import path

from . import views

app_name = "providers"

urlpatterns = [
    path("<slug:slug>/", views.profile, name="profile"),
]

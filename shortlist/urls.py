from django.urls import path

app_name = "shortlist"

urlpatterns: list[path] = []

from django.urls import path

app_name = "guidance"

urlpatterns: list[path] = []

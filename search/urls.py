from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("", views.results, name="results"),
    path("map/", views.map_data, name="map"),
    path("my-location/", views.locate, name="locate"),
]

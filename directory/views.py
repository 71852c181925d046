from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from search.forms import PostcodeSearchForm


def home(request):
    return render(request, "directory/home.html", {"form": PostcodeSearchForm()})


def about(request):
    return render(request, "directory/about.html")


def accessibility(request):
    return render(request, "directory/accessibility.html")


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from search.forms import PostcodeSearchForm
from workbench.figures import public_figures


def home(request):
    return render(request, "directory/home.html", {"form": PostcodeSearchForm()})


def about(request):
    return render(request, "directory/about.html", {"figures": public_figures()})


def accessibility(request):
    return render(request, "directory/accessibility.html")


def staff_home(request):
    if request.user.is_authenticated and request.user.is_staff and "all" not in request.GET:
        return redirect("workbench:queue")
    return admin.site.admin_view(admin.site.index)(request)


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

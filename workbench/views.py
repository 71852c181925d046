import csv

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .figures import figures_rows, staff_figures
from .queue import work_queue


@require_safe
@staff_member_required
def queue(request):
    """The first page staff see after signing in: what needs doing, most pressing first."""
    sections = work_queue()
    return render(
        request,
        "workbench/queue.html",
        {"sections": sections, "total": sum(section.count for section in sections)},
    )


@require_safe
@staff_member_required
def figures(request):
    return render(request, "workbench/figures.html", {"figures": staff_figures()})


@require_safe
@staff_member_required
def figures_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    today = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="programme-figures-{today}.csv"'
    writer = csv.writer(response)
    writer.writerow(["Figure", "Group", "Value"])
    writer.writerows(figures_rows(staff_figures()))
    return response

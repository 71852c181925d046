"""Staff pages: record what Care Inspectorate Wales's register says (it has no API), and mark
what a register said as looked at. English only, under /staff/registers/."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from places.nations import WALES
from providers.models import Provider

from .forms import CiwRecordForm, SeenForm
from .models import RegisterRecord
from .selectors import queue_items, register_panel
from .services import ciw_record_save, register_record_mark_seen

PER_PAGE = 50


@require_safe
@staff_member_required
def differences(request):
    """Every listing the registers differ on, or could not be checked: the list behind the work
    queue's count, most serious first."""
    if not request.user.has_perm("providers.view_provider"):
        raise PermissionDenied
    number = request.GET.get("page", "")
    page = Paginator(queue_items(), PER_PAGE).get_page(int(number) if number.isdigit() else 1)
    return render(request, "registers/differences.html", {"page": page})


def _back(request, provider):
    """Where the officer came from (the listing's staff page or its admin page), if ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:providers_provider_change", args=[provider.pk]) + "#register-panel"


def _may_change(request):
    if not request.user.has_perm("providers.change_provider"):
        raise PermissionDenied


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def ciw_record(request, pk):
    _may_change(request)
    provider = get_object_or_404(Provider, pk=pk, nation=WALES)
    panel = register_panel(provider)
    initial = {"seen_on": timezone.localdate(), "register_id": panel["ciw"]["expected_id"]}
    form = CiwRecordForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ciw_record_save(provider=provider, by=request.user, **form.cleaned_data)
            messages.success(request, f"Recorded what CIW's register says about {provider.name}")
            return redirect(_back(request, provider))
        status = 400
    context = {"provider": provider, "panel": panel, "form": form, "next": _back(request, provider)}
    return render(request, "registers/ciw_record.html", context, status=status)


@require_POST
@staff_member_required
def record_seen(request, pk):
    _may_change(request)
    record = get_object_or_404(RegisterRecord.objects.select_related("provider"), pk=pk)
    form = SeenForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["notes"]))
        return redirect(_back(request, record.provider))
    register_record_mark_seen(record=record, by=request.user, notes=form.cleaned_data["notes"])
    messages.success(
        request, f"Marked as looked at: {record.get_kind_display()} for {record.provider.name}"
    )
    return redirect(_back(request, record.provider))

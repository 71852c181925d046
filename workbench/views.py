import csv

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from core.dates import day_words
from portal.display import diff_rows
from portal.models import ProposedChange
from portal.services import CannotApply, proposal_approve, proposal_reject
from providers.models import Check, Provider
from providers.services import PublishingRefused
from reports.models import ProblemReport

from .audit import timeline
from .figures import figures_rows, staff_figures
from .forms import (
    DecisionForm,
    ListingSearchForm,
    PublishForm,
    RenewalForm,
    ReportForm,
    ReviewForm,
    StageForm,
    SuspendForm,
)
from .listings import check_cards, duplicates, listing_label, listings_filter
from .pipeline import applicant_stage, pipeline
from .queue import work_queue
from .resources import ProviderResource
from .services import (
    ListingChanged,
    applicant_stage_set,
    check_renew,
    listing_publish,
    listing_suspend,
    report_handle,
    review_record,
)


def allowed(permission):
    """Staff without `permission` are refused (403); `staff_member_required`, above it, has sent
    everyone else to sign in."""
    return permission_required(permission, raise_exception=True)


@require_safe
@staff_member_required
def queue(request):
    """The first page staff see after signing in: what needs doing, most pressing first."""
    sections = work_queue()
    return render(
        request,
        "workbench/queue.html",
        {
            "sections": sections,
            "total": sum(section.count for section in sections),
            "pipeline": pipeline(),
        },
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


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
@allowed("portal.change_proposedchange")
def proposal(request, pk):
    """One provider's proposed changes as a field-by-field diff, to approve or reject."""
    found = get_object_or_404(ProposedChange.objects.select_related("provider"), pk=pk)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    proposal_approve(proposal=found, by=request.user)
                    messages.success(request, f"Approved: {found.provider.name} is updated")
                else:
                    proposal_reject(
                        proposal=found, by=request.user, reason=form.cleaned_data["reason"].strip()
                    )
                    messages.success(request, f"Rejected. {found.provider.name} has been told why")
                return redirect(_next(request))
            except CannotApply as error:
                form.add_error(None, str(error))
        status = 400
    context = {
        "proposal": found,
        "rows": diff_rows(found),
        "changed_since": found.provider.version != found.listing_version,
        "form": form,
        "next": _next(request),
    }
    return render(request, "workbench/proposal.html", context, status=status)


# Listings ---------------------------------------------------------------------------------------

PER_PAGE = 50


def _next(request, default="workbench:queue"):
    """Where to go after an action: the `next` page if it is a path on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        len(target) <= 2000
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and "\x00" not in target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return reverse(default)


def _change_permission(request):
    if not request.user.has_perm("providers.change_provider"):
        raise PermissionDenied


@require_safe
@staff_member_required
@allowed("providers.view_provider")
def listings(request):
    """Every listing, found by name, town, postcode, email or reference, and filtered by status
    and checks: the daily list, so nobody needs the admin's."""
    form = ListingSearchForm(request.GET or None)
    found = Provider.objects.none()
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        found = listings_filter(
            Provider.objects.order_by("name", "pk"),
            text=data.get("q", ""),
            status=data.get("status", ""),
            checks=data.get("checks", ""),
        )
    number = form.cleaned_data.get("page") if status == 200 and form.is_bound else None
    page = Paginator(found, PER_PAGE).get_page(number or 1)
    query = request.GET.copy()
    query.pop("page", None)
    query = query.urlencode() if status == 200 else ""
    context = {
        "form": form,
        "page": page,
        "query": query,
        "export_url": reverse("workbench:listings-export") + (f"?{query}" if query else ""),
    }
    return render(request, "workbench/listings.html", context, status=status)


@require_safe
@staff_member_required
@allowed("providers.view_provider")
def listings_export(request):
    """The listings shown by the same search, as the CSV the import reads (ProviderResource)."""
    form = ListingSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "workbench/listings.html",
            {"form": form, "page": Paginator([], PER_PAGE).get_page(1)},
            status=400,
        )
    data = form.cleaned_data if form.is_bound else {}
    found = listings_filter(
        Provider.objects.order_by("name", "pk"),
        text=data.get("q", ""),
        status=data.get("status", ""),
        checks=data.get("checks", ""),
    )
    dataset = ProviderResource().export(queryset=found)
    response = HttpResponse(dataset.csv, content_type="text/csv; charset=utf-8")
    today = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="listings-{today}.csv"'
    return response


def _listing_context(request, provider, **extra):
    application = getattr(provider, "application", None)
    today = timezone.localdate()
    context = {
        "provider": provider,
        "listing_name": listing_label(provider),
        "cards": check_cards(provider, today),
        "application": application,
        "stage": applicant_stage(application) if application else None,
        "stage_form": StageForm(),
        "duplicates": duplicates(provider),
        "reports": provider.problem_reports.order_by("-urgent", "-created_at")[:20],
        "proposal": provider.proposals.filter(status=ProposedChange.Status.PENDING).first(),
        "history": provider.status_changes.select_related("changed_by")[:20],
        "reviews": provider.reviews.select_related("reviewed_by")[:5],
        "timeline": timeline(provider)[:50],
        "publish_form": PublishForm(initial={"version": provider.version}),
        "next": _next(request, "workbench:queue") if "next" in request.GET else "",
        **extra,
    }
    return context


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
@allowed("providers.view_provider")
def listing(request, pk):
    """A listing as officers work on it: a card for each check, its reports, proposals, history
    and audit trail, and the actions (publish here; suspend, review and renewals on their own
    pages). A POST publishes it."""
    provider = get_object_or_404(Provider.objects.select_related("application__stage"), pk=pk)
    if request.method != "POST":
        return render(request, "workbench/listing.html", _listing_context(request, provider))
    _change_permission(request)
    form = PublishForm(request.POST)
    problems = []
    if form.is_valid():
        try:
            listing_publish(
                provider=provider, by=request.user, seen_version=form.cleaned_data["version"]
            )
        except ListingChanged as error:
            problems = [str(error)]
            status = 409
        except PublishingRefused as refused:
            problems = refused.problems
            status = 400
        else:
            messages.success(request, f"{listing_label(provider)} is published")
            return redirect(_next(request))
    else:
        problems = [error for errors in form.errors.values() for error in errors]
        status = 400
    provider.refresh_from_db()
    context = _listing_context(request, provider, problems=problems)
    return render(request, "workbench/listing.html", context, status=status)


def _action_page(request, pk, form_class, template, act, **form_kwargs):
    """A listing's action on its own page: the form, then `act(provider, data)` and back to the
    queue (or `next`) with a message, or the form again with what is wrong."""
    _change_permission(request)
    provider = get_object_or_404(Provider, pk=pk)
    extra = form_kwargs.pop("context", {})
    initial = {"version": provider.version, **form_kwargs.pop("initial", {})}
    form = form_class(
        request.POST if request.method == "POST" else None, initial=initial, **form_kwargs
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                words = act(provider, form.cleaned_data)
            except ListingChanged as error:
                form.add_error(None, str(error))
                status = 409
            except PublishingRefused as refused:  # pragma: no cover - only publishing refuses
                for problem in refused.problems:
                    form.add_error(None, problem)
            else:
                messages.success(request, words)
                return redirect(_next(request))
    context = {
        "provider": provider,
        "listing_name": listing_label(provider),
        "form": form,
        "next": _next(request),
        "today": timezone.localdate(),
        **extra,
    }
    return render(request, template, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def listing_suspend_view(request, pk):
    def act(provider, data):
        listing_suspend(
            provider=provider,
            by=request.user,
            reason=data["reason"],
            seen_version=data["version"],
        )
        return f"{listing_label(provider)} is suspended"

    return _action_page(request, pk, SuspendForm, "workbench/suspend.html", act)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def listing_review(request, pk):
    def act(provider, data):
        review_record(
            provider=provider,
            by=request.user,
            reviewed_on=data["reviewed_on"],
            notes=data["notes"].strip(),
            seen_version=data["version"],
        )
        return f"Full review of {listing_label(provider)} recorded"

    return _action_page(
        request,
        pk,
        ReviewForm,
        "workbench/review.html",
        act,
        initial={"reviewed_on": timezone.localdate().strftime("%-d/%-m/%Y")},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def check_renewal(request, pk, kind):
    """Record a renewal seen by the officer: the new dates and reference."""
    if kind not in Check.Kind.values:
        raise Http404("No such check")
    label = Check.Kind(kind).label
    current = Check.objects.filter(provider_id=pk, kind=kind).first()

    def act(provider, data):
        check, suspended = check_renew(
            provider=provider,
            kind=kind,
            verified_on=data["verified_on"],
            expires_on=data["expires_on"],
            reference=data["reference"],
            by=request.user,
            why=data["note"].strip(),
            seen_version=data["version"],
        )
        for change in suspended:
            messages.warning(request, f"{provider.name} was suspended. {change.reason}")
        return f"{label} for {listing_label(provider)} renewed: valid until {day_words(check.expires_on)}"

    return _action_page(
        request,
        pk,
        RenewalForm,
        "workbench/renew.html",
        act,
        kind=kind,
        initial={
            "verified_on": timezone.localdate().strftime("%-d/%-m/%Y"),
            "reference": current.reference if current else "",
        },
        context={"check_label": label, "check": current},
    )


@require_http_methods(["POST"])
@staff_member_required
def applicant_stage_view(request, pk):
    """Move an applicant along the pipeline (enquiry, support, checks)."""
    _change_permission(request)
    provider = get_object_or_404(Provider.objects.select_related("application"), pk=pk)
    application = getattr(provider, "application", None)
    if application is None:
        raise Http404("This listing has no application")
    form = StageForm(request.POST)
    if not form.is_valid():
        context = _listing_context(request, provider, stage_form=form)
        return render(request, "workbench/listing.html", context, status=400)
    row = applicant_stage_set(
        application=application, stage=form.cleaned_data["stage"], by=request.user
    )
    messages.success(
        request, f"{listing_label(provider)}: now at {row.get_stage_display().lower()}"
    )
    return redirect(_next(request, "workbench:pipeline"))


@require_safe
@staff_member_required
@allowed("portal.view_application")
def pipeline_view(request):
    return render(request, "workbench/pipeline.html", {"stages": pipeline()})


# Reports and proposals --------------------------------------------------------------------------


@require_safe
@staff_member_required
@allowed("reports.view_problemreport")
def reports(request):
    """Reports from the public: open ones (urgent first, then the longest waiting), or closed."""
    closed = request.GET.get("open") == "no"
    found = ProblemReport.objects.select_related("provider", "assigned_to")
    if closed:
        found = found.filter(status=ProblemReport.Status.CLOSED).order_by("-updated_at")
    else:
        found = found.open().order_by("-urgent", "created_at")
    number = request.GET.get("page", "1")
    page = Paginator(found, PER_PAGE).get_page(int(number) if number.isdigit() else 1)
    return render(request, "workbench/reports.html", {"page": page, "closed": closed})


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
@allowed("reports.view_problemreport")
def report(request, pk):
    """One report from the public, to mark in progress or close with what was done."""
    found = get_object_or_404(ProblemReport.objects.select_related("provider"), pk=pk)
    form = ReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("reports.change_problemreport"):
            raise PermissionDenied
        status = 400
        if form.is_valid():
            report_handle(
                report=found,
                by=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
            words = "closed" if form.cleaned_data["status"] == "closed" else "marked as in progress"
            messages.success(request, f"Report about {found.provider_name} {words}")
            return redirect(_next(request))
    context = {
        "report": found,
        "form": form,
        "listing_name": listing_label(found.provider) if found.provider else found.provider_name,
        "next": _next(request),
    }
    return render(request, "workbench/report.html", context, status=status)


@require_safe
@staff_member_required
@allowed("portal.view_proposedchange")
def proposals(request):
    found = (
        ProposedChange.objects.filter(status=ProposedChange.Status.PENDING)
        .select_related("provider")
        .order_by("updated_at")
    )
    return render(request, "workbench/proposals.html", {"proposals": found})

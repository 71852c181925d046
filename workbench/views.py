import csv

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from portal.display import diff_rows
from portal.models import ProposedChange
from portal.services import CannotApply, proposal_approve, proposal_reject

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


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve: put these changes on the listing"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or reject"},
    )
    reason = forms.CharField(
        label="Reason, if you reject it",
        help_text="The provider is sent this",
        required=False,
        max_length=1000,
        widget=forms.Textarea,
        error_messages={
            "max_length": "The reason must be 1,000 characters or fewer",
            "null_characters_not_allowed": "The reason contains a character we cannot save",
        },
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why you are rejecting the changes: the provider is told")
        return cleaned


@require_http_methods(["GET", "HEAD", "POST"])
@staff_member_required
def proposal(request, pk):
    """One provider's proposed changes as a field-by-field diff, to approve or reject."""
    if not request.user.has_perm("portal.change_proposedchange"):
        raise PermissionDenied
    found = get_object_or_404(ProposedChange.objects.select_related("provider"), pk=pk)
    form = DecisionForm(request.POST or None)
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
                return redirect("workbench:queue")
            except CannotApply as error:
                form.add_error(None, str(error))
        status = 400
    context = {
        "proposal": found,
        "rows": diff_rows(found),
        "changed_since": found.provider.version != found.listing_version,
        "form": form,
    }
    return render(request, "workbench/proposal.html", context, status=status)

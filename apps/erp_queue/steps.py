"""The queue's own workflow steps: an approver's decision on a request, and what is done with a staged record."""

from django import forms
from django.contrib import messages

from apps.core.workflow import Step
from apps.erp_queue import registry, services
from apps.erp_queue.api.serializers import AcceptSerializer, LinkSerializer, RejectSerializer
from apps.erp_queue.models import ERPRequest, StagedRecord


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="The sender reads this to fix the record before resending it.",
    )


def _accept_form(request):
    return registry.exporter_for(request.kind).accept_form_for(request)


def _retry_form(request):
    exporter = registry.exporter_for(request.kind)
    if exporter.retry_form is not None:
        return exporter.retry_form
    base = exporter.accept_form_for(request)
    if base is None:
        return None

    class RetryForm(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                field.required = False
                field.help_text = f"Leave empty to keep what was typed at accept. {field.help_text}"

    return RetryForm


def _export_outcome(verb):
    """Accept and retry export at once with the ledger: say how the export went, not just that it started."""

    def outcome(request):
        if request.status == ERPRequest.Status.FAILED:
            return messages.WARNING, f"{verb} {request}, but the ERP refused it: {' '.join(request.messages)}"
        if request.status == ERPRequest.Status.SYNCED:
            return messages.SUCCESS, f"{verb} {request}: it is written into the ERP."
        return messages.SUCCESS, f"{verb} {request}: the connector exports it next."

    return outcome


REQUEST_STEPS = (
    Step(
        "accept",
        "Accept and export",
        ERPRequest.accept,
        lambda request, user, data: services.request_accept(request=request, user=user, inputs=data),
        _export_outcome("Accepted"),
        summary="Accept: export to the ERP",
        help="The record is written into Sage exactly as shown in the payload.",
        form=_accept_form,
        serializer=AcceptSerializer,
    ),
    Step(
        "reject",
        "Reject",
        ERPRequest.reject,
        lambda request, user, data: services.request_reject(request=request, user=user, reason=data.get("reason", "")),
        "Rejected {obj}: the sender can fix it and resend.",
        summary="Reject with a reason",
        form=lambda request: RejectForm,
        serializer=RejectSerializer,
        danger=True,
    ),
    Step(
        "retry",
        "Retry export",
        ERPRequest.retry,
        lambda request, user, data: services.request_retry(request=request, user=user, inputs=data),
        _export_outcome("Retried"),
        summary="Retry a failed export, optionally with corrected inputs",
        help="Export again, correcting the ERP id or number if the ERP's message asks for it.",
        form=_retry_form,
        serializer=AcceptSerializer,
    ),
)


def _link_form(staged):
    importer = registry.importer_for(staged.kind)
    return importer.link_form(staged) if importer is not None and importer.can_link else None


def _link_target(data):
    """The record to link to: the admin's form picks it (`target`), the API names its id (`company`)."""
    target = data.get("target")
    return target.pk if target is not None else data.get("company")


def _links(staged):
    """Link is a step only for the kinds whose records may exist on both sides (vendors), never for jobs."""
    importer = registry.importer_for(staged.kind)
    return importer is not None and importer.can_link


def _importable(staged):
    """Add to app is offered unless the record can never be added (an estimate of a budget exported from here)."""
    importer = registry.importer_for(staged.kind)
    return importer is not None and importer.never_importable(staged) is None


STAGED_STEPS = (
    Step(
        "link",
        "Link",
        StagedRecord.link,
        lambda staged, user, data: services.staged_record_link(staged=staged, target_id=_link_target(data), user=user),
        lambda staged: (messages.SUCCESS, f"{staged} is linked: both sides are synced."),
        summary="Link the ERP vendor to the company here that is the same one",
        description="Both sides become synced; the company's integrated fields take the ERP's values.",
        help="Links the ERP record to the one here that is the same; the ERP's values become the app's.",
        form=_link_form,
        serializer=LinkSerializer,
        available=_links,
    ),
    Step(
        "add-to-app",
        "Add to app",
        StagedRecord.add_to_app,
        lambda staged, user, data: services.staged_record_add_to_app(staged=staged, user=user),
        "{obj} was added to the app.",
        summary="Add the ERP record to the app",
        help="Creates the record here, already synced with the ERP.",
        available=_importable,
    ),
    Step(
        "archive",
        "Archive",
        StagedRecord.archive,
        lambda staged, user, data: services.staged_record_archive(staged=staged, user=user),
        "{obj} was archived.",
        summary="Archive: hide it from Ready to Import",
        danger=True,
    ),
)

"""Every write on Ready to Import: staging the ERP's records, adding them to the app, linking, archiving."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from apps.core.exceptions import DomainError, PermissionDenied, ValidationError
from apps.core.workflow import check_step, run_step
from apps.erp_queue import registry, selectors
from apps.erp_queue.connectors import get_connector
from apps.erp_queue.models import StagedRecord


def _stage(importer, erp_id, data):
    return StagedRecord.objects.create(
        kind=importer.kind, erp_id=erp_id, data=data, label=importer.record_label(data)[:255]
    )


def staged_record_upsert(*, kind, erp_id, data, user, reported=False):
    """The ERP reports a record it holds; create or refresh it under Ready to Import.

    `reported`: the agent reported it through the API, and the connector's ERP takes it too (where the
    ERP is the embedded ledger, the record is written there); the ERP's own staging passes False.
    """
    importer = registry.importer_for(kind)
    if importer is None:
        raise ValidationError({"kind": f"'{kind}' records cannot be staged for import."})
    erp_id = str(erp_id).strip()
    if not erp_id:
        raise ValidationError({"erp_id": "The ERP id is required."})
    data = importer.clean_data(data)
    with transaction.atomic():
        if reported:
            get_connector().take_staged(kind=kind, erp_id=erp_id, data=data)
        staged = StagedRecord.objects.select_for_update().filter(kind=kind, erp_id=erp_id).first()
        if staged is None:
            return _stage(importer, erp_id, data)
        if staged.data != data:
            staged.data = data
            staged.label = importer.record_label(data)[:255]
            if staged.status == StagedRecord.Status.IMPORTED:
                run_step(staged.restage, user=user, description="Changed in the ERP after import")
            staged.save()
    return staged


def staged_record_add_to_app(*, staged, user):
    """Create the app's record from a staged ERP record (the owning app decides how, and may refuse)."""
    with transaction.atomic():
        staged = StagedRecord.objects.select_for_update().get(pk=staged.pk)
        step = check_step(staged.add_to_app, user=user)
        record = registry.importer_for(staged.kind).add_to_app(staged=staged, user=user)
        step(by=user, object_id=record.pk, at=timezone.now())
        staged.save()
    return staged


def staged_record_archive(*, staged, user):
    """Hide a staged ERP record the company does not want in the app."""
    with transaction.atomic():
        staged = StagedRecord.objects.select_for_update().get(pk=staged.pk)
        run_step(staged.archive, user=user)
        staged.save()
    return staged


def staged_record_link(*, staged, target_id, user):
    """Link a staged ERP record to the record here that is the same one (vendors): both sides become synced."""
    importer = registry.importer_for(staged.kind)
    if importer is None or not importer.can_link:
        raise DomainError(
            f"{staged} cannot be linked: a {staged.get_kind_display().lower()} is created in one system and added "
            "to the other, never linked. Add it to the app, or archive it."
        )
    with transaction.atomic():
        staged = StagedRecord.objects.select_for_update().get(pk=staged.pk)
        step = check_step(staged.link, user=user)
        record = importer.link(staged=staged, target_id=target_id, user=user)
        step(by=user, description=f"Linked to {record}", object_id=record.pk, at=timezone.now())
        staged.save()
    return staged


@dataclass
class LinkAllResult:
    linked: list = field(default_factory=list)  # [(staged record, Suggestion)]
    skipped: list = field(default_factory=list)  # [(staged record, why)]


def _refusal(exc):
    return exc.message if isinstance(exc, DomainError) else " ".join(exc.messages)


def staged_record_link_all(*, user):
    """Link every staged record whose one suggestion is suggested for no other record; say why the rest were not.

    Only unambiguous, one-to-one suggestions are linked; a record with no suggestion is left alone.
    Each link commits on its own, so one refusal does not undo the others.
    """
    if user is not None and not user.has_perm("erp_queue.import_stagedrecord"):
        raise PermissionDenied("You do not have permission to link staged ERP records.")
    waiting = list(
        StagedRecord.objects.filter(status=StagedRecord.Status.STAGED, kind__in=selectors.linking_kinds()).order_by(
            "kind", "erp_id"
        )
    )
    suggestions = selectors.staged_record_suggestions(waiting)
    suggested_for = defaultdict(list)
    for staged in waiting:
        for suggestion in suggestions.get(staged.pk, []):
            suggested_for[(staged.kind, suggestion.target_id)].append(staged)
    result = LinkAllResult()
    for staged in waiting:
        candidates = suggestions.get(staged.pk, [])
        if not candidates:
            continue
        if len(candidates) > 1:
            names = "; ".join(c.label for c in candidates)
            result.skipped.append(
                (staged, f"{len(candidates)} records are suggested ({names}): link the right one by hand.")
            )
            continue
        [suggestion] = candidates
        rivals = [other for other in suggested_for[(staged.kind, suggestion.target_id)] if other.pk != staged.pk]
        if rivals:
            others = "; ".join(str(other) for other in rivals)
            result.skipped.append(
                (staged, f"{suggestion.label} is also suggested for {others}: link the right one by hand.")
            )
            continue
        try:
            staged_record_link(staged=staged, target_id=suggestion.target_id, user=user)
        except (DomainError, ValidationError) as exc:
            result.skipped.append((staged, _refusal(exc)))
        else:
            result.linked.append((staged, suggestion))
    return result


def staged_record_unlinked(*, model, erp_id, data, user):
    """The record here let go of its ERP record (unlink): the ERP record waits under Ready to Import again.

    An ERP record that was never staged (a vendor exported from here) is staged with the data the
    app last knew; the ERP's next sync refreshes it. Records already waiting or archived stay so.
    """
    importer = registry.importer_of(model)
    with transaction.atomic():
        staged = StagedRecord.objects.select_for_update().filter(kind=importer.kind, erp_id=erp_id).first()
        if staged is None:
            return _stage(importer, erp_id, importer.clean_data(data))
        if staged.status == StagedRecord.Status.IMPORTED:
            run_step(staged.unlink, user=user, description="Unlinked in the app")
            staged.save()
    return staged

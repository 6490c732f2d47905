"""Every write on jobs: projects, their cost codes, sending them to the ERP and importing ERP jobs."""

from django.db import transaction

from apps.core import erp_profile
from apps.core.exceptions import DomainError, ValidationError
from apps.core.workflow import full_clean, run_step
from apps.erp_queue import registry
from apps.erp_queue import selectors as erp_selectors
from apps.erp_queue import services as erp_services
from apps.jobs import selectors
from apps.jobs.models import CostCode, CostType, Origin, Project, ProjectCostCode

ERPStatus = Project.ERPStatus


def _locked(project):
    return Project.objects.select_for_update().get(pk=project.pk)


def cost_code_upsert(*, code, description, division="", reported=False):
    """Create or refresh one standard cost code as the ERP reports it (in any spelling: 2010 is 2010.000).

    `reported`: the agent reported it through the API; the connector's ERP takes it too, in the same
    transaction (where the ERP is the embedded ledger, it is written there, or nothing is).
    """
    problem = erp_profile.cost_code_problem(code)
    if problem:
        raise ValidationError({"code": problem})
    code = erp_profile.cost_code_canonical(code)
    limit = erp_profile.COST_CODE_DESCRIPTION_LIMIT
    if len(description) > limit:
        raise ValidationError({"description": f"At most {limit} characters; this has {len(description)}."})
    with transaction.atomic():
        cost_code, _ = CostCode.objects.update_or_create(
            code=code, defaults={"description": description, "division": division or ""}
        )
        if reported:
            erp_services.erp_cost_code_reported(code=code, description=description, division=division or "")
    return cost_code


def cost_code_sync_from_erp(*, user):
    """Pull the ERP's standard cost codes (the embedded ledger); the agent pushes them instead."""
    rows = erp_services.erp_cost_codes()
    if rows is None:
        raise DomainError("In agent mode the connector agent pushes the ERP's cost codes; there is nothing to pull.")
    with transaction.atomic():
        return [cost_code_upsert(**row) for row in rows]


def cost_type_rename(*, cost_type, name):
    """Rename one of the user-defined cost types (6–9); 1–5 are fixed by the ERP."""
    if cost_type.code in CostType.FIXED:
        raise ValidationError({"name": f"Cost type {cost_type.code} ({cost_type.name}) is fixed by the ERP."})
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A cost type needs a name."})
    with transaction.atomic():
        cost_type.name = name
        cost_type.save(update_fields=["name"])
        erp_services.erp_cost_type_reported(code=cost_type.code, name=name)  # the ERP's name for it, there too
    return cost_type


def project_create(*, user, number, name, address="", city="", state="", zip=""):
    """A project created here; it reaches the ERP only by being sent and accepted."""
    number = number.strip()
    if Project.objects.filter(number=number).exists():
        raise ValidationError({"number": f"A project numbered {number} already exists."})
    project = Project(number=number, name=name, address=address, city=city, state=state, zip=zip, created_by=user)
    full_clean(project)
    project.save()
    return project


def project_update(*, project, user, **fields):
    """Edit a project; the fields the ERP owns are read-only while a send is pending and after sync."""
    with transaction.atomic():
        project = _locked(project)
        if project.integrated_fields_locked:
            locked = {
                field: f"{field} is owned by the ERP while the project is {project.get_erp_status_display().lower()}."
                for field, value in fields.items()
                if field in Project.INTEGRATED_FIELDS and value != getattr(project, field)
            }
            if locked:
                raise ValidationError(locked)
        for field, value in fields.items():
            setattr(project, field, value)
        full_clean(project)
        project.save()
        if erp_selectors.request_open_for(kind=registry.exporter_of(Project).kind, object_id=project.pk) is None:
            _send_update(project, user)  # an update accounting rejected is sent again
    return project


def _refuse_while_pending(project):
    if project.erp_status in (ERPStatus.READY_TO_EXPORT, ERPStatus.EXPORTING, ERPStatus.FAILED):
        raise DomainError(
            f"{project} is waiting in the ERP queue; retrieve it (or wait for the decision) before changing its "
            "cost codes."
        )
    update = erp_selectors.request_open_for(kind=registry.exporter_of(Project).kind, object_id=project.pk)
    if update is not None and update.status != update.Status.READY_TO_EXPORT:
        raise DomainError(
            f"The update of {project}'s cost codes is {update.get_status_display().lower()} (ERP Integrations → "
            "Jobs → Ready to Update); change its cost codes once accounting has finished with it."
        )


def _send_update(project, user):
    """A synced project's cost codes changed: what its ERP job lacks waits under Ready to Update (or no longer)."""
    if project.erp_status == ERPStatus.SYNCED:
        erp_services.record_update_send(record=project, payload=selectors.project_update_payload(project), user=user)


def project_cost_code_assign(*, project, user, code, cost_types):
    """Use a standard cost code on a project with these cost types (replacing the types it had)."""
    cost_code = CostCode.objects.filter(code=code).first()
    if cost_code is None:
        raise ValidationError(
            {"code": f"{code} is not one of the ERP's standard cost codes. Add it in the ERP and sync cost codes."}
        )
    wanted = sorted(set(cost_types))
    known = set(CostType.objects.filter(code__in=wanted).values_list("code", flat=True))
    unknown = [str(c) for c in wanted if c not in known]
    if unknown:
        raise ValidationError(
            {"cost_types": f"Unknown cost type {', '.join(unknown)}: the ERP's cost types are 1 to 9."}
        )
    with transaction.atomic():
        project = _locked(project)
        _refuse_while_pending(project)
        assignment, _ = ProjectCostCode.objects.get_or_create(project=project, cost_code=cost_code)
        assignment.cost_types.set(wanted)
        _send_update(project, user)
    return assignment


def project_cost_code_remove(*, assignment, user):
    """Stop using a cost code on a project (not while the project waits in the ERP queue)."""
    with transaction.atomic():
        project = _locked(assignment.project)
        _refuse_while_pending(project)
        assignment.delete()
        _send_update(project, user)


def _cost_codes_from_erp(cost_codes):
    for row in cost_codes:
        cost_code_upsert(code=row["code"], description=row.get("description", ""), division=row.get("division", ""))


def _assign_erp_cost_codes(project, cost_codes):
    for row in cost_codes:
        assignment, _ = ProjectCostCode.objects.get_or_create(
            project=project, cost_code=CostCode.objects.get(code=row["code"])
        )
        assignment.cost_types.set(row["cost_types"])


def _held(data):
    """{cost code: [cost types]} an ERP job holds, from what the ERP staged."""
    return {
        erp_profile.cost_code_canonical(row["code"]) or row["code"]: sorted(row["cost_types"])
        for row in data.get("cost_codes", [])
    }


def project_import_from_erp(*, erp_id, data, user):
    """Path A: add an ERP job to the app, synced, with its cost codes and cost types.

    A job is created in one system and added to the other; one that exists in both can never be
    linked. So an ERP job whose number is already used here is refused, with what to do instead.
    """
    problem = erp_profile.job_id_problem(erp_id)
    if problem:
        raise DomainError(f"ERP job {erp_id} cannot be added: {problem}")
    missing = erp_profile.cost_codes_without_types(data.get("cost_codes", []))
    if missing:
        raise DomainError(
            f"ERP job {erp_id} cannot be added: cost code {', '.join(missing)} has no cost type. "
            "Give every cost code at least one cost type in the ERP; the job is then staged again."
        )
    fields = {field: data.get(field, "") or "" for field in Project.INTEGRATED_FIELDS if field != "number"}
    existing = Project.objects.select_for_update().filter(erp_id=erp_id, origin=Origin.ERP).first()
    if existing is not None:
        # The ERP changed a job that was imported before: it owns these fields, take its values.
        for field, value in fields.items():
            setattr(existing, field, value)
        existing.erp_cost_codes = _held(data)
        existing.save()
        _cost_codes_from_erp(data.get("cost_codes", []))
        _assign_erp_cost_codes(existing, data.get("cost_codes", []))
        return existing
    clash = Project.objects.filter(number=erp_id).first() or Project.objects.filter(erp_id=erp_id).first()
    if clash is not None:
        raise DomainError(
            f"ERP job {erp_id} cannot be added: project {clash} already exists here. A job is created in one "
            "system and then added to the other; one created in both can never be linked. Archive this ERP "
            "job, or delete the duplicate here before adding it."
        )
    project = Project(number=erp_id, origin=Origin.ERP, created_by=user, erp_cost_codes=_held(data), **fields)
    project.save()
    _cost_codes_from_erp(data.get("cost_codes", []))
    _assign_erp_cost_codes(project, data.get("cost_codes", []))
    run_step(project.mark_imported, user=None, erp_id=erp_id, description=f"Added from ERP job {erp_id}")
    project.save()
    return project

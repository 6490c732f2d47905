"""Every write on companies: the directory, sending companies to the ERP as vendors, linking them to ERP vendors."""

from django.db import transaction

from apps.core import erp_profile
from apps.core.exceptions import DomainError, ValidationError
from apps.core.workflow import check_step, full_clean, run_step
from apps.erp_queue import services as erp_services
from apps.erp_queue.connectors import get_connector
from apps.erp_queue.models import Kind, StagedRecord
from apps.jobs.models import Origin
from apps.vendors.models import Company, VendorType

ERPStatus = Company.ERPStatus


def _locked(company):
    return Company.objects.select_for_update().get(pk=company.pk)


def vendor_type_upsert(*, code, name):
    """Create or rename one of the ERP's vendor types as the connector agent reports it (agent mode)."""
    if get_connector().fetch_vendor_types() is not None:
        raise DomainError("The embedded ERP ledger keeps its own vendor types; there is nothing to push.")
    code, name = code.strip(), name.strip()
    problems = {}
    if not code:
        problems["code"] = "A vendor type needs its code in the ERP."
    if not name:
        problems["name"] = "A vendor type needs a name."
    if problems:
        raise ValidationError(problems)
    vendor_type, _ = VendorType.objects.update_or_create(code=code, defaults={"name": name})
    return vendor_type


def company_create(
    *,
    user,
    name,
    abbreviated_name="",
    address="",
    city="",
    state="",
    zip="",
    tax_id="",
    email="",
    phone="",
    is_active=True,
    projects=(),
):
    """A company created here: in the company directory, and in the directory of each project given."""
    company = Company(
        name=name,
        abbreviated_name=abbreviated_name,
        address=address,
        city=city,
        state=state,
        zip=zip,
        tax_id=tax_id,
        email=email,
        phone=phone,
        is_active=is_active,
        created_by=user,
    )
    full_clean(company)
    with transaction.atomic():
        company.save()
        company.projects.set(projects)
    return company


def company_update(*, company, user, projects=None, **fields):
    """Edit a company; the fields the ERP owns are read-only while a send is pending and once it is linked."""
    with transaction.atomic():
        company = _locked(company)
        if company.integrated_fields_locked:
            locked = {
                field: f"{field.replace('_', ' ')} is owned by the ERP while the company is "
                f"'{company.get_erp_status_display()}'."
                for field, value in fields.items()
                if field in Company.INTEGRATED_FIELDS and value != getattr(company, field)
            }
            if locked:
                raise ValidationError(locked)
        for field, value in fields.items():
            setattr(company, field, value)
        full_clean(company)
        company.save()
        if projects is not None:
            company.projects.set(projects)
    return company


def company_payload(company):
    """What the approver reviews and the ERP receives, frozen at send time: phones never go to the ERP."""
    return {field: getattr(company, field) for field in Company.INTEGRATED_FIELDS}


def _check_sendable(company, payload):
    problems = erp_profile.vendor_field_problems(payload)
    if not company.is_active:
        problems["is_active"] = "An inactive company cannot be sent to the ERP; make it active first."
    if problems:
        raise ValidationError(problems)


def _send(company, *, user, step):
    return erp_services.record_send(
        record=company, user=user, step=step, kind=Kind.VENDOR, payload_for=company_payload, check=_check_sendable
    )


def company_send(*, company, user):
    """Send a company created here to the accounting queue, to become an ERP vendor; its ERP fields lock."""
    return _send(company, user=user, step="send-to-erp")


def company_resend(*, company, user):
    """Send a rejected (and corrected) company again."""
    return _send(company, user=user, step="resend")


def company_retrieve(*, company, user):
    """Take a sent company back before accounting decided; it becomes editable again."""
    return erp_services.record_retrieve(record=company, user=user, kind=Kind.VENDOR)


def vendor_id_holder(erp_id, *, exclude_pk=None):
    """The company here linked to ERP vendor `erp_id`, other than `exclude_pk`, if any."""
    return Company.objects.filter(erp_id=erp_id).exclude(pk=exclude_pk).first()


def vendor_id_conflict(erp_id, *, company_id):
    """Why company `company_id` cannot be exported as ERP vendor `erp_id`, or None.

    The id must be new to the ERP: no company here holds it, and the ERP has not reported a vendor
    with it (staged under Ready to Import, even archived).
    """
    holder = vendor_id_holder(erp_id, exclude_pk=company_id)
    if holder is not None:
        return f"ERP vendor {erp_id} is already linked to {holder} here; type another vendor id."
    staged = StagedRecord.objects.filter(kind=StagedRecord.Kind.VENDOR, erp_id=erp_id).first()
    if staged is not None:
        return (
            f"The ERP already has vendor {erp_id} ({staged.label}); type another vendor id, or reject this "
            "request and link the company to that ERP vendor."
        )
    return None


def _reported_vendor_id(erp_ids, company):
    """The vendor id the connector reported for `company`: a valid one that no other company holds (else 400)."""
    erp_id = erp_ids.get("vendor_id")
    problem = erp_profile.vendor_id_problem(erp_id)
    if problem is None and vendor_id_holder(erp_id, exclude_pk=company.pk) is not None:
        problem = f"ERP vendor {erp_id} already belongs to another company here."
    if problem:
        raise ValidationError({"erp_ids": [f"vendor_id: {problem}"]})
    return str(erp_id)


def company_follow_request(*, company_id, request, user):
    """Move the company's ERP status with its request (accepted, exported, failed, rejected)."""
    company = Company.objects.select_for_update().get(pk=company_id)
    return erp_services.record_follow_request(
        record=company,
        request=request,
        synced_fields=lambda: {
            "erp_id": _reported_vendor_id(request.erp_ids, company),
            "vendor_type": request.inputs.get("vendor_type", ""),
        },
    )


def _take_erp_values(company, data):
    """After linking, the ERP owns the integrated fields: take its values; return the fields that changed."""
    changed = []
    for field in Company.INTEGRATED_FIELDS:
        value = data.get(field) or ""
        if getattr(company, field) != value:
            setattr(company, field, value)
            changed.append(field)
    return changed


def company_link(*, company_id, erp_id, data, user):
    """Link a company here to an ERP vendor (`data` as the ERP reported it): the company becomes synced.

    One company links to one ERP vendor, and one ERP vendor to one company. The ERP's values replace
    the company's integrated fields, which are then read-only here.
    """
    problem = erp_profile.vendor_id_problem(erp_id)
    if problem:
        raise DomainError(f"ERP vendor {erp_id} cannot be linked: {problem}")
    with transaction.atomic():
        company = Company.objects.select_for_update().filter(pk=company_id).first()
        if company is None:
            raise ValidationError({"company": f"There is no company with id {company_id}."})
        holder = vendor_id_holder(erp_id, exclude_pk=company.pk)
        if holder is not None:
            raise DomainError(
                f"ERP vendor {erp_id} is already linked to {holder}: an ERP vendor links to one company. "
                "Unlink it there first."
            )
        if company.erp_status == ERPStatus.SYNCED:
            raise DomainError(
                f"{company} is already linked to ERP vendor {company.erp_id}: a company links to one ERP vendor. "
                "Unlink it first."
            )
        if company.erp_status in Company.PENDING_STATUSES:
            raise DomainError(
                f"{company} is waiting in the ERP queue ({company.get_erp_status_display().lower()}). Retrieve it, "
                "or have accounting reject the request, before linking it."
            )
        transition_method = check_step(company, "link", user=user)
        changed = _take_erp_values(company, data)
        description = f"Linked to ERP vendor {erp_id}"
        if changed:
            description += f"; the ERP's values replaced the {', '.join(f.replace('_', ' ') for f in changed)}"
        transition_method(
            by=user, erp_id=str(erp_id), vendor_type=data.get("vendor_type") or "", description=description
        )
        company.save()
    return company


def company_import_from_erp(*, erp_id, data, user):
    """Add an ERP vendor to the app: a company created from it, already linked (synced).

    An ERP vendor already linked here refreshes its company instead of adding a second one: the ERP
    owns those fields.
    """
    problem = erp_profile.vendor_id_problem(erp_id)
    if problem:
        raise DomainError(f"ERP vendor {erp_id} cannot be added: {problem}")
    existing = Company.objects.select_for_update().filter(erp_id=erp_id).first()
    if existing is not None:
        _take_erp_values(existing, data)
        existing.vendor_type = data.get("vendor_type") or ""
        existing.save()
        return existing
    company = Company(origin=Origin.ERP, created_by=user, **{f: data.get(f) or "" for f in Company.INTEGRATED_FIELDS})
    company.save()
    check_step(company, "mark_imported", user=None)(
        by=user,
        erp_id=str(erp_id),
        vendor_type=data.get("vendor_type") or "",
        description=f"Added from ERP vendor {erp_id}",
    )
    company.save()
    return company


def company_unlink(*, company, user):
    """Undo a link: both sides are unlinked, and the ERP vendor waits under Ready to Import to be linked again."""
    with transaction.atomic():
        company = _locked(company)
        erp_id, vendor_type = company.erp_id, company.vendor_type
        run_step(company, "unlink", user=user, description=f"Unlinked from ERP vendor {erp_id}")
        company.save()
        erp_services.staged_record_unlinked(
            kind=StagedRecord.Kind.VENDOR,
            erp_id=erp_id,
            data={**company_payload(company), "vendor_type": vendor_type},
            user=user,
        )
    return company

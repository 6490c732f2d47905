"""Every write on companies: the directory, sending companies to the ERP as vendors, linking them to ERP vendors."""

from django.db import transaction

from apps.core import erp_profile
from apps.core.exceptions import DomainError, ValidationError
from apps.core.workflow import check_step, full_clean, run_step
from apps.erp_queue import services as erp_services
from apps.jobs.models import Origin
from apps.vendors.models import Company, VendorType
from apps.vendors.selectors import vendor_id_holder

ERPStatus = Company.ERPStatus


def _locked(company):
    return Company.objects.select_for_update().get(pk=company.pk)


def vendor_type_upsert(*, code, name):
    """Create or rename one of the ERP's vendor types as the connector agent reports it.

    The connector's ERP takes it too, in the same transaction (the embedded ledger keeps it, or nothing is kept).
    """
    code, name = code.strip(), name.strip()
    problems = {}
    if not code:
        problems["code"] = "A vendor type needs its code in the ERP."
    if not name:
        problems["name"] = "A vendor type needs a name."
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        vendor_type, _ = VendorType.objects.update_or_create(code=code, defaults={"name": name})
        erp_services.erp_vendor_type_reported(code=code, name=name)
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
        transition_method = check_step(company.link, user=user)
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
    check_step(company.mark_imported, user=None)(
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
        run_step(company.unlink, user=user, description=f"Unlinked from ERP vendor {erp_id}")
        company.save()
        erp_services.staged_record_unlinked(
            model=Company, erp_id=erp_id, data={**company.integrated_values(), "vendor_type": vendor_type}, user=user
        )
    return company

import factory

from apps.ledger import services as ledger_services
from apps.ledger.models import ERPVendor
from apps.vendors.models import Company


class CompanyFactory(factory.django.DjangoModelFactory):
    """A company in any ERP state: `erp_status="ready_to_export"`, or `synced=True` (linked, with a vendor id)."""

    class Meta:
        model = Company
        skip_postgeneration_save = True

    class Params:
        synced = factory.Trait(
            erp_status=Company.ERPStatus.SYNCED,
            erp_id=factory.Sequence(lambda n: str(5000 + n)),
            vendor_type="1",
        )

    name = factory.Sequence(lambda n: f"Company {n}")
    address = "1 Main St"
    city = "Sacramento"
    state = "CA"
    zip = "95814"
    erp_status = Company.ERPStatus.NOT_SYNCED

    @factory.post_generation
    def erp_vendor(self, create, extracted, **kwargs):
        """A linked company's vendor is in the ERP, as exported."""
        if create and self.erp_id and extracted is not False:
            ERPVendor.objects.get_or_create(
                vendor_id=self.erp_id,
                defaults={"name": self.name[:75], "vendor_type_id": 1, "source": ERPVendor.Source.EXPORTED},
            )


class ERPVendorFactory(factory.django.DjangoModelFactory):
    """A vendor keyed in the embedded ERP (it is not staged for the app until `key_erp_vendor`)."""

    class Meta:
        model = ERPVendor

    vendor_id = factory.Sequence(lambda n: str(2000 + n))
    name = factory.Sequence(lambda n: f"ERP vendor {n}")
    vendor_type_id = 1
    address = "9 Depot Rd"
    city = "Modesto"
    state = "CA"
    zip = "95354"


def key_erp_vendor(**fields):
    """Key a vendor in the ERP the way accounting does, and stage it under Ready to Import."""
    return ledger_services.vendor_stage(vendor=ERPVendorFactory(**fields))

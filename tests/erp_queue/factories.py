from datetime import timedelta

import factory
from django.utils import timezone

from apps.erp_queue.models import ERPRequest, StagedRecord
from tests.core.factories import UserFactory
from tests.jobs.factories import ProjectFactory

#: The request kind of each exported model (plain strings: the queue keeps no enum of its producers).
KIND_OF_MODEL = {
    "Project": "job",
    "Company": "vendor",
    "Budget": "budget",
    "Commitment": "commitment",
    "ChangeOrder": "change_order",
}


class ERPRequestFactory(factory.django.DjangoModelFactory):
    """A request in any state, for `record` (a project by default; its kind follows the record's model).

    `status=ERPRequest.Status.FAILED`, or the traits `accepted` (exporting, decided), `claimed`
    (accepted and leased to a worker, whose `lease_token` a report carries), `failed`
    (with a message), `synced`, `rejected` (with a reason). The record's own ERP status is not
    touched: build it in the matching state (e.g. `ProjectFactory(erp_status="ready_to_export")`).
    """

    class Meta:
        model = ERPRequest

    class Params:
        record = factory.SubFactory(ProjectFactory, erp_status="ready_to_export")
        accepted = factory.Trait(
            status=ERPRequest.Status.EXPORTING,
            decided_by=factory.SubFactory(UserFactory),
            decided_at=factory.LazyFunction(timezone.now),
        )
        claimed = factory.Trait(
            accepted=True,
            lease_token=factory.Faker("uuid4", cast_to=None),
            lease_expires_at=factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=5)),
            leased_by="agent-1",
            attempts=1,
        )
        failed = factory.Trait(
            status=ERPRequest.Status.FAILED,
            decided_by=factory.SubFactory(UserFactory),
            decided_at=factory.LazyFunction(timezone.now),
            attempts=1,
            messages=["The ERP refused the record."],
        )
        synced = factory.Trait(
            status=ERPRequest.Status.SYNCED,
            decided_by=factory.SubFactory(UserFactory),
            decided_at=factory.LazyFunction(timezone.now),
            completed_at=factory.LazyFunction(timezone.now),
            attempts=1,
        )
        rejected = factory.Trait(
            status=ERPRequest.Status.REJECTED,
            decided_by=factory.SubFactory(UserFactory),
            decided_at=factory.LazyFunction(timezone.now),
            completed_at=factory.LazyFunction(timezone.now),
            reason="Wrong address.",
        )

    kind = factory.LazyAttribute(lambda o: KIND_OF_MODEL[type(o.record).__name__])
    object_id = factory.SelfAttribute("record.pk")
    record_label = factory.LazyAttribute(lambda o: str(o.record)[:255])
    payload = factory.LazyAttribute(lambda o: {"record": o.record.pk})
    status = ERPRequest.Status.READY_TO_EXPORT
    sent_by = factory.SubFactory(UserFactory)


class StagedRecordFactory(factory.django.DjangoModelFactory):
    """An ERP record under Ready to Import (a vendor by default; `job=True` for an ERP job), in any status."""

    class Meta:
        model = StagedRecord

    class Params:
        job = factory.Trait(
            kind="job",
            data=factory.LazyAttribute(
                lambda o: {"name": o.label, "address": "", "city": "", "state": "CA", "zip": "", "cost_codes": []}
            ),
        )
        imported = factory.Trait(
            status=StagedRecord.Status.IMPORTED,
            imported_by=factory.SubFactory(UserFactory),
            imported_at=factory.LazyFunction(timezone.now),
        )

    kind = "vendor"
    erp_id = factory.Sequence(lambda n: str(3000 + n))
    label = factory.Sequence(lambda n: f"ERP record {n}")
    data = factory.LazyAttribute(
        lambda o: {
            "name": o.label,
            "vendor_type": "1",
            "address": "9 Depot Rd",
            "city": "Modesto",
            "state": "CA",
            "zip": "95354",
            "tax_id": "",
        }
    )
    status = StagedRecord.Status.STAGED

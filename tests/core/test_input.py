"""What a client can send that the database or the ERP cannot take: a 400 naming the problem, nothing written."""

import importlib
import inspect
import json
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import get_resolver, reverse
from rest_framework import serializers
from rest_framework.parsers import JSONParser

from apps.budgets import services as budget_services
from apps.budgets.admin import LineAddForm
from apps.budgets.models import BudgetLineItem
from apps.change_orders import services as change_order_services
from apps.change_orders.models import ChangeOrder
from apps.commitments import services as commitment_services
from apps.commitments.models import Commitment
from apps.core import erp_profile
from apps.core.api import parsers
from apps.core.api.serializers import NUL_MESSAGE, CheckedInputMixin, PrimaryKeyField, SlugField
from apps.erp_queue.models import ERPRequest, StagedRecord
from apps.jobs.models import CostCode, CostType, Project
from tests.budgets.conftest import budget, project  # noqa: F401  (a synced project with cost codes; its budget)
from tests.commitments.factories import SUBCONTRACT_LINES, linked_vendor, subcontract_data, synced_commitment

pytestmark = pytest.mark.django_db

TOO_DEEP = "The JSON is nested deeper than 100 levels."
HUGE_QUANTITY, HUGE_UNIT_COST = "9999999999.9999", "999999999999.99"


def post_json(client, url, text):
    return client.post(url, text, content_type="application/json")


@pytest.fixture
def vendor(db):
    return linked_vendor()


@pytest.fixture
def subcontract(pm, approver, commit, project, vendor):  # noqa: F811
    return synced_commitment(pm=pm, approver=approver, commit=commit, project=project, vendor=vendor)


def lines_url(budget):  # noqa: F811
    return f"/api/v1/budgets/{budget.pk}/line-items/"


# 1. Deeply nested JSON -------------------------------------------------------------------------


def test_json_nested_3000_levels_is_a_400_even_anonymously(api_as, pm):
    deep = "[" * 3000 + "]" * 3000
    login = post_json(api_as(None), "/api/v1/auth/token/", deep)
    assert (login.status_code, login.json()) == (400, {"detail": TOO_DEEP})
    # Endpoints that need a user answer 401 first; never a 500.
    assert post_json(api_as(None), "/api/v1/projects/", deep).status_code in (400, 401)
    refused = post_json(api_as(pm), "/api/v1/projects/", deep)
    assert (refused.status_code, refused.json()) == (400, {"detail": TOO_DEEP})
    assert not Project.objects.exists()


def test_json_up_to_100_levels_is_read_and_brackets_in_strings_do_not_count(api_as, pm):
    client = api_as(pm)
    read = post_json(client, "/api/v1/projects/", "[" * 100 + "]" * 100)  # parsed: a list is not a project
    assert read.status_code == 400 and read.json() != {"detail": TOO_DEEP}
    assert post_json(client, "/api/v1/projects/", "[" * 101 + "]" * 101).json() == {"detail": TOO_DEEP}
    bracketed = json.dumps({"number": "7001", "name": "[" * 150 + '"{' * 50})
    created = post_json(client, "/api/v1/projects/", bracketed)
    assert created.status_code == 201, created.json()
    assert Project.objects.get(number="7001").name == "[" * 150 + '"{' * 50


def test_depth_scan():
    assert not parsers.nested_deeper_than('{"a": [[1]], "b": "]]]][[[[{{{{"}', 3)
    assert parsers.nested_deeper_than('{"a": [[1]]}', 2)
    assert not parsers.nested_deeper_than('["\\"[[[[[["]', 1)


def test_a_recursion_error_while_decoding_is_the_same_400(api_as, pm, monkeypatch):
    monkeypatch.setattr(parsers, "nested_deeper_than", lambda text, limit: False)
    refused = post_json(api_as(pm), "/api/v1/projects/", "[" * 100_000 + "]" * 100_000)
    assert (refused.status_code, refused.json()) == (400, {"detail": TOO_DEEP})


# 2. Computed amounts that do not fit -----------------------------------------------------------

OVERFLOW = (
    "The original amount (quantity × unit cost) is too large: 9,999,999,999,999,800,000,000.00 has more than "
    "12 digits before the decimal point."
)


def test_a_budget_line_whose_amount_overflows_is_refused_and_the_budget_still_reads(pm, api_as, budget):  # noqa: F811
    client = api_as(pm)
    line = {"cost_code": "1000", "cost_type": 1, "calculation": "automatic"}
    refused = client.post(lines_url(budget), {**line, "quantity": HUGE_QUANTITY, "unit_cost": HUGE_UNIT_COST})
    assert (refused.status_code, refused.json()) == (400, {"original_amount": [OVERFLOW]})
    assert not BudgetLineItem.objects.exists()
    assert client.get(lines_url(budget)).status_code == 200
    assert client.get(f"/api/v1/budgets/{budget.pk}/").status_code == 200


def test_a_budget_line_changed_to_overflow_is_refused(pm, api_as, budget):  # noqa: F811
    client = api_as(pm)
    created = client.post(
        lines_url(budget),
        {"cost_code": "1000", "cost_type": 1, "calculation": "automatic", "quantity": "2", "unit_cost": "10"},
    )
    assert created.status_code == 201, created.json()
    url = f"{lines_url(budget)}{created.json()['id']}/"
    refused = client.patch(url, {"quantity": HUGE_QUANTITY, "unit_cost": HUGE_UNIT_COST})
    assert (refused.status_code, refused.json()) == (400, {"original_amount": [OVERFLOW]})
    stored = BudgetLineItem.objects.get()
    assert (stored.quantity, stored.unit_cost, stored.original_amount) == (2, 10, Decimal("20.00"))
    assert client.get(lines_url(budget)).json()["results"][0]["original_amount"] == "20.00"


def test_the_admin_line_form_refuses_an_amount_that_overflows(pm, budget):  # noqa: F811
    form = line_form(pm, budget, calculation="automatic", quantity=HUGE_QUANTITY, unit_cost=HUGE_UNIT_COST)
    assert not form.is_valid()
    assert form.errors["original_amount"] == [OVERFLOW]
    assert not BudgetLineItem.objects.exists()


def test_a_unit_based_commitment_line_that_overflows_is_refused(pm, api_as, project, vendor):  # noqa: F811
    lines = [{"cost_code": "3300", "cost_type": 1, "quantity": HUGE_QUANTITY, "unit_cost": HUGE_UNIT_COST}]
    data = subcontract_data(project, vendor, accounting_method="unit", lines=lines)
    refused = api_as(pm).post("/api/v1/commitments/", data, format="json")
    assert refused.status_code == 400
    assert refused.json()["lines"] == [
        "Line 1: 9999999999999800000000.00 is too large; an amount has at most 12 digits before the decimal point."
    ]
    assert not Commitment.objects.exists()


def test_a_change_order_that_takes_a_line_past_what_an_amount_holds_is_refused(pm, api_as, subcontract):
    first = subcontract.lines.get(position=1)
    data = {
        "commitment": subcontract.pk,
        "title": "Far too much",
        "lines": [{"commitment_line": first.pk, "amount": "999999999999.00"}],
    }
    refused = api_as(pm).post("/api/v1/change-orders/", data, format="json")
    assert refused.status_code == 400
    assert refused.json()["lines"] == [
        "Line 1 (2300.000 Subcontract): the line would come to 1,000,000,011,999.00; an amount has at most 12 digits "
        "before the decimal point."
    ]
    assert not ChangeOrder.objects.exists()


# 3. Numbers where an id or an integer is expected ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"cost_code": "1000", "cost_type": 1e309}', "This number is too large to be a cost type: use 1 to 9."),
        ('{"cost_code": "1000", "cost_type": -1e400}', "This number is too large to be a cost type: use 1 to 9."),
        ('{"cost_code": "1000", "cost_type": 1.5}', "1.5 is not a cost type: use 1 to 9."),
        ('{"cost_code": "1000", "cost_type": 123456789012345678901234567890}', "is not a cost type: use 1 to 9."),
    ],
)
def test_a_cost_type_that_is_not_a_whole_number_is_a_field_error(pm, api_as, budget, text, message):  # noqa: F811
    refused = post_json(api_as(pm), lines_url(budget), text)
    assert refused.status_code == 400
    assert message in refused.json()["cost_type"][0]
    assert not BudgetLineItem.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e309", "This number is too large to be the id of a record."),
        ("1.5", "Expected the id of a record, a whole number; received 1.5."),
        ("99999999999999999999999", "object does not exist"),
    ],
)
def test_a_record_id_that_is_not_a_whole_number_is_a_field_error(pm, api_as, project, value, message):  # noqa: F811
    refused = post_json(api_as(pm), "/api/v1/budgets/", f'{{"project": {value}}}')
    assert refused.status_code == 400
    assert message in refused.json()["project"][0]


def test_a_huge_number_in_a_change_order_line_is_a_field_error(pm, api_as, subcontract):
    text = f'{{"commitment": {subcontract.pk}, "title": "X", "lines": [{{"commitment_line": 1e309, "amount": 1e309}}]}}'
    refused = post_json(api_as(pm), "/api/v1/change-orders/", text)
    assert refused.status_code == 400
    errors = refused.json()["lines"]["0"]
    assert errors["commitment_line"] == ["This number is too large to be the id of a record."]
    assert errors["amount"] == ["A valid number is required."]
    assert not ChangeOrder.objects.exists()


# 4. NUL in text ---------------------------------------------------------------------------------


def test_nul_in_a_text_field_is_refused(pm, api_as, budget):  # noqa: F811
    client = api_as(pm)
    described = client.post(lines_url(budget), {"cost_code": "1000", "cost_type": 1, "description": "Form\x00work"})
    assert (described.status_code, described.json()) == (400, {"description": [NUL_MESSAGE]})
    coded = client.post(lines_url(budget), {"cost_code": "10\x0000", "cost_type": 1})
    assert (coded.status_code, coded.json()) == (400, {"cost_code": [NUL_MESSAGE]})
    named = client.post("/api/v1/projects/", {"number": "7002", "name": "Clinic\x00"}, format="json")
    assert (named.status_code, named.json()) == (400, {"name": [NUL_MESSAGE]})
    assert not BudgetLineItem.objects.exists()
    assert not Project.objects.filter(number="7002").exists()


def test_nul_or_an_infinite_number_inside_json_data_is_refused(agent, api_as, cost_codes):
    client = api_as(agent)
    record = {"kind": "job", "erp_id": "5001", "data": {"name": "Depot\x00", "cost_codes": []}}
    refused = client.post("/api/v1/erp/staged-records/", record, format="json")
    assert (refused.status_code, refused.json()) == (400, {"data": [NUL_MESSAGE]})
    text = '{"kind": "job", "erp_id": "5001", "data": {"name": "Depot", "area": 1e309, "cost_codes": []}}'
    infinite = post_json(client, "/api/v1/erp/staged-records/", text)
    assert (infinite.status_code, list(infinite.json())) == (400, ["data"])
    assert not StagedRecord.objects.exists()


def test_nul_in_the_admin_line_form_is_refused(pm, budget):  # noqa: F811
    form = line_form(pm, budget, description="Form\x00work")
    assert not form.is_valid()
    assert "description" in form.errors
    assert not BudgetLineItem.objects.exists()


# 5. Negative budget numbers, other scripts' digits, deductions past what is left ---------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"original_amount": "-5"}, "original_amount"),
        ({"calculation": "automatic", "quantity": "-2", "unit_cost": "10"}, "quantity"),
        ({"calculation": "automatic", "quantity": "2", "unit_cost": "-10"}, "unit_cost"),
    ],
)
def test_negative_budget_numbers_are_refused_by_api_and_admin(pm, api_as, budget, values, field):  # noqa: F811
    refused = api_as(pm).post(lines_url(budget), {"cost_code": "1000", "cost_type": 1, **values})
    assert refused.status_code == 400
    assert refused.json() == {field: ["Ensure this value is greater than or equal to 0."]}
    form = line_form(pm, budget, **values)
    assert not form.is_valid()
    assert "cannot be negative" in form.errors[field][0]
    assert not BudgetLineItem.objects.exists()


def test_negative_budget_numbers_are_refused_by_the_service_on_change(pm, api_as, budget):  # noqa: F811
    line = budget_services.budget_line_add(
        budget=budget, user=pm, cost_code=CostCode.objects.get(code="1000"), cost_type=CostType.objects.get(code=1)
    )
    refused = api_as(pm).patch(f"{lines_url(budget)}{line.pk}/", {"original_amount": "-1"})
    assert refused.status_code == 400
    with pytest.raises(ValidationError) as raised:
        budget_services.budget_line_update(line=line, user=pm, original_amount=Decimal("-1"))
    assert raised.value.message_dict == {"original_amount": ["The original amount cannot be negative: -1."]}
    line.refresh_from_db()
    assert line.original_amount == 0


@pytest.mark.parametrize("digits", ["٢٤٠٢", "２４０２", "۲۴۰۲", "2402\n"])
def test_ids_and_codes_in_other_scripts_digits_are_refused(digits):
    assert "not a valid ERP job id" in erp_profile.job_id_problem(digits)
    assert "not a valid ERP vendor id" in erp_profile.vendor_id_problem(digits)
    assert "not a valid Sage cost code" in erp_profile.cost_code_problem(digits)
    assert erp_profile.job_id_problem("2402") is None
    assert erp_profile.cost_code_problem("2402.100") is None
    assert "state" in erp_profile.job_field_problems({"name": "X", "state": "C\u0410"})


def test_accept_with_a_job_id_in_arabic_digits_is_a_field_error(pm, approver, api_as, cost_codes):
    client = api_as(pm)
    created = client.post("/api/v1/projects/", {"number": "2501", "name": "Clinic"}, format="json").json()
    client.post(f"/api/v1/projects/{created['id']}/cost-codes/", {"code": "1000", "cost_types": [1]}, format="json")
    sent = client.post(f"/api/v1/projects/{created['id']}/send-to-erp/").json()
    refused = api_as(approver).post(f"/api/v1/erp/requests/{sent['erp_request']}/accept/", {"erp_job_id": "٢٤٠٢"})
    assert refused.status_code == 400
    assert refused.json()["erp_job_id"] == [
        "'٢٤٠٢' is not a valid ERP job id: digits only, no separators, at most 10 digits (for example 1024). "
        "The ERP reads only the digits 0-9."
    ]
    assert ERPRequest.objects.get(pk=sent["erp_request"]).status == "ready_to_export"


def test_a_standard_cost_code_in_fullwidth_digits_is_refused(agent, api_as):
    refused = api_as(agent).post("/api/v1/cost-codes/", {"code": "２４０２", "description": "Fullwidth"})
    assert refused.status_code == 400
    assert "not a valid Sage cost code" in refused.json()["code"][0]
    assert not CostCode.objects.filter(description="Fullwidth").exists()


def test_a_deduction_larger_than_what_is_left_on_the_line_is_refused(pm, api_as, subcontract):
    first, second = subcontract.lines.order_by("position")  # 12,000.00 and 30,000.00
    client = api_as(pm)
    approved = client.post(
        "/api/v1/change-orders/",
        {
            "commitment": subcontract.pk,
            "title": "Smaller",
            "lines": [{"commitment_line": second.pk, "amount": "-5000"}],
        },
        format="json",
    ).json()
    for name in ("submit", "approve"):
        assert client.post(f"/api/v1/change-orders/{approved['id']}/{name}/").status_code == 200
    # A draft elsewhere does not count; the approved one does, and so do this change order's own lines.
    client.post(
        "/api/v1/change-orders/",
        {"commitment": subcontract.pk, "title": "Draft", "lines": [{"commitment_line": second.pk, "amount": "-1"}]},
        format="json",
    )
    data = {
        "commitment": subcontract.pk,
        "title": "Deduct",
        "lines": [
            {"commitment_line": first.pk, "amount": "-12000.00"},
            {"commitment_line": second.pk, "amount": "1000.00"},
            {"commitment_line": second.pk, "amount": "-27000.00"},
        ],
    }
    refused = client.post("/api/v1/change-orders/", data, format="json")
    assert refused.status_code == 400
    assert refused.json()["lines"] == [
        "Line 3 (3300.000 Subcontract): a deduction of 27,000.00 is more than the 26,000.00 left on it."
    ]
    assert ChangeOrder.objects.count() == 2
    data["lines"][2]["amount"] = "-26000.00"
    assert client.post("/api/v1/change-orders/", data, format="json").status_code == 201


def test_the_deduction_message_names_the_line_and_what_is_left(pm, subcontract):
    first = subcontract.lines.order_by("position").first()
    material = CostType.objects.get(code=1)
    first.cost_type, first.amount = material, Decimal("125000.00")
    first.save()
    other = {"commitment_line": subcontract.lines.get(position=2), "amount": Decimal("10")}
    with pytest.raises(ValidationError) as raised:
        change_order_services.change_order_create(
            user=pm,
            commitment=subcontract,
            title="Deduct",
            lines=[other, {"commitment_line": first, "amount": Decimal("-200000.00")}],
        )
    assert raised.value.message_dict["lines"] == [
        f"Line 2 ({first.cost_code.code} Material): a deduction of 200,000.00 is more than the 125,000.00 left on it."
    ]


def test_editing_a_change_order_counts_its_new_lines_not_its_old_ones(pm, api_as, subcontract):
    first = subcontract.lines.order_by("position").first()  # 12,000.00
    client = api_as(pm)
    line = {"commitment_line": first.pk, "amount": "-12000.00"}
    created = client.post(
        "/api/v1/change-orders/", {"commitment": subcontract.pk, "title": "D", "lines": [line]}, format="json"
    )
    assert created.status_code == 201, created.json()
    url = f"/api/v1/change-orders/{created.json()['id']}/"
    assert client.patch(url, {"lines": [line]}, format="json").status_code == 200
    too_much = client.patch(url, {"lines": [{**line, "amount": "-12000.01"}]}, format="json")
    assert too_much.status_code == 400
    assert "is more than the 12,000.00 left on it" in too_much.json()["lines"][0]


# 6. Lines per record ---------------------------------------------------------------------------


def test_a_commitment_with_more_lines_than_the_limit_is_refused_at_once(pm, api_as, project, vendor):  # noqa: F811
    lines = SUBCONTRACT_LINES[:1] * (commitment_services.MAX_RECORD_LINES + 1)
    started = time.monotonic()
    refused = api_as(pm).post("/api/v1/commitments/", subcontract_data(project, vendor, lines=lines), format="json")
    assert time.monotonic() - started < 5
    assert (refused.status_code, refused.json()) == (
        400,
        {"lines": ["A commitment takes at most 2,000 lines; this has 2,001."]},
    )
    assert not Commitment.objects.exists()
    with pytest.raises(ValidationError) as raised:
        commitment_services.commitment_create(
            user=pm,
            project=project,
            type="subcontract",
            vendor=vendor,
            title="Many",
            accounting_method="amount",
            lines=[{}] * 2_001,
        )
    assert raised.value.message_dict == {"lines": ["A commitment takes at most 2,000 lines; this has 2,001."]}


def test_a_change_order_with_more_lines_than_the_limit_is_refused_at_once(pm, api_as, subcontract):
    lines = [{"commitment_line": subcontract.lines.first().pk, "amount": "1"}] * 2_001
    refused = api_as(pm).post(
        "/api/v1/change-orders/", {"commitment": subcontract.pk, "title": "Many", "lines": lines}, format="json"
    )
    assert (refused.status_code, refused.json()) == (
        400,
        {"lines": ["A change order takes at most 2,000 lines; this has 2,001."]},
    )
    assert not ChangeOrder.objects.exists()


# Every serializer checks its input -------------------------------------------------------------


def _api_serializers():
    for app in ("budgets", "change_orders", "commitments", "core", "erp_queue", "jobs", "vendors"):
        module = importlib.import_module(f"apps.{app}.api.serializers")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, serializers.Serializer) and cls.__module__ == module.__name__:
                yield cls


def test_every_api_serializer_checks_its_input():
    unchecked = [cls.__qualname__ for cls in _api_serializers() if not issubclass(cls, CheckedInputMixin)]
    assert not unchecked, "derive from apps.core.api.serializers.Serializer / ModelSerializer"


def test_no_writable_relation_skips_the_checks():
    def relations(serializer):
        for name, field in serializer.fields.items():
            field = getattr(field, "child_relation", field)
            if isinstance(field, serializers.ListSerializer):
                yield from relations(field.child)
            elif isinstance(field, serializers.Serializer):
                yield from relations(field)
            elif isinstance(field, serializers.RelatedField) and not field.read_only:
                yield name, field

    plain = []
    for cls in _api_serializers():
        try:
            instance = cls()
            fields = list(relations(instance))
        except (TypeError, AssertionError):  # a serializer that needs arguments to be built
            continue
        plain += [
            f"{cls.__name__}.{name}" for name, field in fields if not isinstance(field, PrimaryKeyField | SlugField)
        ]
    assert not plain


def test_every_api_view_parses_json_with_the_depth_check():
    def views(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from views(pattern.url_patterns)
            elif hasattr(pattern.callback, "cls"):
                yield pattern.callback.cls

    plain = {
        view.__name__
        for view in views(get_resolver().url_patterns)
        if any(
            issubclass(parser, JSONParser) and not issubclass(parser, parsers.JSONParser)
            for parser in view.parser_classes
        )
    }
    assert not plain


def line_form(user, budget, **values):  # noqa: F811
    data = {
        "budget": budget.pk,
        "cost_code": CostCode.objects.get(code="1000").pk,
        "cost_type": 1,
        "calculation": "manual",
        "original_amount": "0",
        **values,
    }
    return type("LineAddForm", (LineAddForm,), {"user": user})(data=data)


def test_the_admin_add_page_shows_the_refusal(client, pm, budget):  # noqa: F811
    client.force_login(pm)
    response = client.post(
        reverse("admin:budgets_budgetlineitem_add"),
        {
            "budget": budget.pk,
            "cost_code": CostCode.objects.get(code="1000").pk,
            "cost_type": 1,
            "calculation": "automatic",
            "quantity": HUGE_QUANTITY,
            "unit_cost": HUGE_UNIT_COST,
            "original_amount": "0",
        },
    )
    assert response.status_code == 200
    assert "12 digits before the decimal point" in response.content.decode()
    assert not BudgetLineItem.objects.exists()

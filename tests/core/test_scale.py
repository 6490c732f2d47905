"""Company scale: the pages and endpoints over the tables that only grow cost the same however long they are.

Each test reads a list (or takes a bulk step) at two sizes and pins the query counts; the figures at
real volumes are `make bench-scale`'s (printed, never asserted: these machines are noisy).
"""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_fsm_log.models import StateLog

from apps.budgets.models import Budget
from apps.core import admin_paging
from apps.core.admin_history import whole_trail_url
from apps.core.exceptions import DomainError
from apps.erp_queue import selectors, services
from apps.erp_queue.admin import ERPRequestAdmin
from apps.erp_queue.models import ERPRequest
from tests.budgets.factories import BudgetFactory
from tests.erp_queue.factories import ERPRequestFactory
from tests.jobs.factories import ProjectFactory
from tests.vendors.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def trail(record, n, user=None):
    for i in range(n):
        StateLog.objects.create(
            content_object=record, transition="send", source_state="a", state="b", by=user, description=f"entry {i}"
        )


def queries_of(client, url):
    client.get(url)  # caches filled by a first read (content types, permissions) do not count
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def test_record_page_shows_its_latest_history_and_links_the_whole_trail(client, approver):
    project = ProjectFactory()
    client.force_login(approver)
    url = reverse("admin:jobs_project_change", args=[project.pk])
    trail(project, 25, approver)
    short, page = queries_of(client, url)
    html = page.content.decode()
    assert "entry 24" in html and "entry 5" in html and "entry 4" not in html  # the latest 20, newest first
    assert "The latest 20 entries" in html and "See the whole history" in html

    trail(project, 200, approver)
    long, _ = queries_of(client, url)
    assert long == short  # however long the trail

    whole = client.get(page.context["inline_admin_formsets"][-1].formset.whole_trail_url())
    assert whole.status_code == 200
    assert whole.context["title"] == f"History of {project}"
    listed = whole.context["cl"].result_list
    assert len(listed) == 50 and {log.object_id for log in listed} == {project.pk}
    assert whole.context["cl"].paginator.count == 225


def test_one_records_history_reads_as_that_records_page(client, approver):
    project = ProjectFactory()
    trail(project, 3, approver)
    trail(ProjectFactory(), 2)  # another project's
    trail(CompanyFactory(pk=project.pk), 2)  # the same id, another kind
    client.force_login(approver)
    whole = client.get(whole_trail_url(project))
    html = " ".join(whole.content.decode().split())
    assert f'› <a href="/admin/jobs/project/{project.pk}/change/">{project}</a> › History' in html
    assert whole.context["cl"].list_display == ["when", "happened", "who", "description"]  # no Record column
    assert 'id="changelist-filter"' not in html  # no kind to pair this record's id with
    assert "3 history entries" in html


def test_the_whole_trail_names_each_record(client, approver):
    project, company = ProjectFactory(), CompanyFactory()
    trail(project, 1)
    trail(company, 1)
    client.force_login(approver)
    page = client.get(reverse("admin:core_historyentry_changelist"))
    html = page.content.decode()
    assert f'<a href="/admin/jobs/project/{project.pk}/change/">{project}</a>' in html
    assert f'<a href="/admin/vendors/company/{company.pk}/change/">{company}</a>' in html
    assert "results (Show all)" not in html  # nothing filtered: no second count above the list


@pytest.mark.parametrize("query", ["content_type__id__exact=abc&object_id=1", "content_type__id__exact=1&object_id=²"])
def test_a_mistyped_history_address_is_the_admins_error_page_not_a_500(client, approver, query):
    client.force_login(approver)
    response = client.get(f"{reverse('admin:core_historyentry_changelist')}?{query}")
    assert response.status_code == 302 and response.url.endswith("?e=1")


def test_the_history_title_names_no_record_the_reader_may_not_view(client, viewer, approver):
    from django.contrib.contenttypes.models import ContentType

    users = ContentType.objects.get(app_label="auth", model="user")
    trail(approver, 1)  # no workflow writes one: as if by hand
    client.force_login(viewer)
    url = reverse("admin:core_historyentry_changelist")
    page = client.get(f"{url}?content_type__id__exact={users.pk}&object_id={approver.pk}")
    assert page.status_code == 302 and page.url.endswith("?e=1")  # the admin's "wrong filter" page
    assert client.get(page.url).context["title"] == "History of every record"


def test_a_short_trail_has_no_link(client, approver):
    project = ProjectFactory()
    trail(project, 3, approver)
    client.force_login(approver)
    html = client.get(reverse("admin:jobs_project_change", args=[project.pk])).content.decode()
    assert "entry 2" in html and "See the whole history" not in html


def test_the_whole_trail_lists_only_records_the_reader_may_view(client, make_user):
    project, company = ProjectFactory(), CompanyFactory()
    trail(project, 2)
    trail(company, 2)
    reader = make_user("reader")
    reader.user_permissions.set([Permission.objects.get(codename="view_project")])
    client.force_login(reader)
    listed = client.get(reverse("admin:core_historyentry_changelist")).context["cl"].result_list
    assert {log.content_object for log in listed} == {project}
    nobody = make_user("nobody")
    client.force_login(nobody)
    assert client.get(reverse("admin:core_historyentry_changelist")).status_code == 403


def test_queue_deep_page_costs_what_the_first_one_does_and_the_count_stops(client, approver, monkeypatch):
    monkeypatch.setattr(ERPRequestAdmin, "list_per_page", 2)
    ERPRequestFactory.create_batch(7)
    client.force_login(approver)
    queue = reverse("admin:erp_queue_erprequest_changelist")
    first, page_one = queries_of(client, queue)
    deep, page_four = queries_of(client, f"{queue}?p=4")
    assert deep == first
    assert len(page_four.context["cl"].result_list) == 1
    assert "7 ERP requests" in page_one.content.decode()

    monkeypatch.setattr(admin_paging, "COUNT_CAP", 3)
    monkeypatch.setattr(admin_paging, "PAGES_AHEAD", 0)
    html = client.get(queue).content.decode()
    assert "more than 3 ERP requests" in html
    assert "Select all matching ERP requests (more than 3)" in html


def test_tab_figures_stop_at_their_cap(client, approver, monkeypatch):
    ERPRequestFactory.create_batch(3)
    client.force_login(approver)
    queue = reverse("admin:erp_queue_erprequest_changelist")
    assert "Jobs (3)" in client.get(queue).content.decode()
    monkeypatch.setattr(selectors, "TAB_FIGURE_CAP", 2)
    assert "Jobs (2+)" in client.get(queue).content.decode()


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/v1/erp/requests/", lambda n: ERPRequestFactory.create_batch(n)),
        ("/api/v1/audit-events/", lambda n: trail(ProjectFactory(), n)),
    ],
)
def test_api_lists_page_by_cursor(api_as, approver, url, make):
    make(5)
    client = api_as(approver)
    seen, counts, link = [], [], f"{url}?page_size=2"
    client.get(link)
    while link:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(link).json()
        counts.append(len(captured))
        assert "count" not in page
        seen.extend(row["id"] for row in page["results"])
        link = page["next"]
    assert len(seen) == len(set(seen)) >= 5
    assert seen == sorted(seen, reverse=True)  # newest first
    assert len(set(counts)) <= 2  # the first page has no cursor to read; every later one costs the same

    assert client.get(f"{url}?page=1").status_code == 200
    refused = client.get(f"{url}?page=2")
    assert refused.status_code == 400
    assert refused.json() == {
        "page": "This list is paged by cursor: follow the `next` and `previous` links of each answer."
    }


def claim(client, limit):
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/erp/requests/claim/", {"limit": limit, "worker": "agent-1"}, format="json")
    assert response.status_code == 200
    return response.json(), len(captured)


def test_a_claim_is_a_handful_of_queries_whatever_its_limit(api_as, agent):
    ERPRequestFactory.create_batch(30, accepted=True)
    client = api_as(agent)
    client.post("/api/v1/erp/agent/heartbeat/", {"worker": "agent-1"}, format="json")
    few, few_queries = claim(client, 3)
    many, many_queries = claim(client, 100)
    assert len(few) == 3 and len(many) == 27
    # The token and the permissions (3); the contact and any outage's end (2); lock, lease, read (3); the
    # test's transaction makes the claim's a savepoint (2, a BEGIN and COMMIT that are not counted in production).
    assert few_queries == many_queries == 10
    tokens = {row["id"]: row["lease_token"] for row in many}
    assert len(set(tokens.values())) == 27  # each request its own lease: a report names its request's
    leased = ERPRequest.objects.filter(pk__in=tokens)
    assert {(r.leased_by, r.attempts) for r in leased} == {("agent-1", 1)}
    assert all(str(r.lease_token) == tokens[r.pk] for r in leased)
    assert claim(client, 10)[0] == []


def accept_selected(client, requests):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            reverse("admin:erp_queue_erprequest_changelist"),
            {"action": "accept_selected", "_selected_action": [r.pk for r in requests]},
            follow=False,
        )
    assert response.status_code == 302
    return len(captured)


def waiting_budgets(n):
    budgets = [BudgetFactory(status=Budget.Status.READY_TO_EXPORT) for _ in range(n)]
    return [ERPRequestFactory(record=budget) for budget in budgets]


def test_bulk_accept_shares_its_writes_and_says_it_in_one_message(client, approver):
    client.force_login(approver)
    client.get(reverse("admin:erp_queue_erprequest_changelist"))
    two = accept_selected(client, waiting_budgets(2))
    eight = accept_selected(client, waiting_budgets(8))
    assert (eight - two) / 6 <= 3  # statements per request
    assert (two, eight) == (21, 21)

    accepted = ERPRequest.objects.filter(kind="budget")
    assert set(accepted.values_list("status", "decided_by")) == {("exporting", approver.pk)}
    assert set(Budget.objects.values_list("status", flat=True)) == {"exporting"}
    request = accepted.first()
    assert list(StateLog.objects.for_(request).values_list("transition", "by")) == [("accept", approver.pk)]
    budget = Budget.objects.get(pk=request.object_id)
    assert list(StateLog.objects.for_(budget).values_list("transition", "by")) == [("mark_exporting", approver.pk)]


def test_bulk_accept_leaves_what_it_cannot_accept_with_the_reason(client, approver):
    budgets = waiting_budgets(4)
    job = ERPRequestFactory()
    exported = ERPRequestFactory(record=BudgetFactory(status=Budget.Status.EXPORTING), accepted=True)
    client.force_login(approver)
    response = client.post(
        reverse("admin:erp_queue_erprequest_changelist"),
        {"action": "accept_selected", "_selected_action": [r.pk for r in [*budgets, job, exported]]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 2
    assert shown[0] == "Accepted 4 budgets: the connector exports them next."
    assert shown[1].startswith("Not accepted (2): ")
    assert f"{job}: it needs the approver's ERP ids: open it and accept it on its own page." in shown[1]
    assert f"{exported}: it no longer waits for a decision: its status is Exporting." in shown[1]
    assert ERPRequest.objects.get(pk=job.pk).status == "ready_to_export"


def test_bulk_accept_takes_at_most_its_limit(client, approver, monkeypatch):
    monkeypatch.setattr(services.requests, "BULK_ACCEPT_LIMIT", 2)
    monkeypatch.setattr(services, "BULK_ACCEPT_LIMIT", 2)
    waiting = waiting_budgets(3)
    client.force_login(approver)
    response = client.post(
        reverse("admin:erp_queue_erprequest_changelist"),
        {"action": "accept_selected", "_selected_action": [r.pk for r in waiting]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Accept at most 2 requests at a time: pick a tab or a kind to select fewer."
    ]
    assert set(ERPRequest.objects.values_list("status", flat=True)) == {"ready_to_export"}


def test_bulk_accept_accepts_nothing_when_a_row_changed_under_it(approver, monkeypatch):
    waiting = waiting_budgets(2)
    lock_records = services.requests._lock_records

    def and_another_decision_lands(requests):  # between the read and the write (SQLite has no row locks)
        records = lock_records(requests)
        ERPRequest.objects.filter(pk=waiting[0].pk).update(status="rejected")
        return records

    monkeypatch.setattr(services.requests, "_lock_records", and_another_decision_lands)
    with pytest.raises(DomainError, match="nothing was accepted"):
        services.request_accept_many(request_ids=[r.pk for r in waiting], user=approver)
    assert ERPRequest.objects.get(pk=waiting[1].pk).status == "ready_to_export"
    assert not StateLog.objects.filter(transition="accept").exists()

import pytest
from django.contrib.auth.models import Group

from apps.core import roles

pytestmark = pytest.mark.django_db


def perms(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_every_role_exists_with_its_permissions():
    assert {"jobs.send_project", "jobs.add_project"} <= perms(roles.PROJECT_MANAGER)
    assert "erp_queue.decide_erprequest" not in perms(roles.PROJECT_MANAGER)
    assert {"erp_queue.decide_erprequest", "erp_queue.import_stagedrecord"} <= perms(roles.ACCOUNTING_APPROVER)
    assert "jobs.send_project" not in perms(roles.ACCOUNTING_APPROVER)
    assert {"erp_queue.export_erprequest", "erp_queue.add_stagedrecord"} <= perms(roles.ERP_AGENT)
    viewer = perms(roles.VIEWER)
    assert viewer and all(p.split(".")[1].startswith("view_") for p in viewer)
    assert {"jobs.view_project", "erp_queue.view_erprequest", "django_fsm_log.view_statelog"} <= viewer


def test_every_named_permission_exists():
    """A typo in ROLE_PERMISSIONS would silently grant nothing."""
    for role, names in roles.ROLE_PERMISSIONS.items():
        assert names <= perms(role), (role, names - perms(role))


def test_syncing_again_changes_nothing():
    before = {role: perms(role) for role in roles.ROLE_PERMISSIONS}
    roles.sync_roles()
    assert {role: perms(role) for role in roles.ROLE_PERMISSIONS} == before

"""The roles of the spec as Django groups, kept in step with the permissions on every migrate."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

PROJECT_MANAGER = "Project Manager"
ACCOUNTING_APPROVER = "Accounting Approver"
VIEWER = "Viewer"
ERP_AGENT = "ERP Agent"

# Apps whose records every role may read.
DOMAIN_APPS = ("jobs", "vendors", "budgets", "commitments", "change_orders", "erp_queue", "ledger", "django_fsm_log")

ROLE_PERMISSIONS = {
    PROJECT_MANAGER: {
        "jobs.add_project",
        "jobs.change_project",
        "jobs.send_project",
        "jobs.add_projectcostcode",
        "jobs.change_projectcostcode",
        "jobs.delete_projectcostcode",
        "vendors.add_company",
        "vendors.change_company",
        "vendors.send_company",
        "budgets.add_budget",
        "budgets.change_budget",
        "budgets.lock_budget",
        "budgets.send_budget",
        "budgets.add_budgetlineitem",
        "budgets.change_budgetlineitem",
        "budgets.delete_budgetlineitem",
        "budgets.add_budgetmodification",
        "budgets.delete_budgetmodification",
        "commitments.add_commitment",
        "commitments.change_commitment",
        "commitments.send_commitment",
        # The schedule of values is edited inline on the commitment's admin page.
        "commitments.add_commitmentline",
        "commitments.change_commitmentline",
        "commitments.delete_commitmentline",
        "change_orders.add_changeorder",
        "change_orders.change_changeorder",
        "change_orders.approve_changeorder",
        "change_orders.send_changeorder",
        "change_orders.add_changeorderline",
        "change_orders.change_changeorderline",
        "change_orders.delete_changeorderline",
    },
    ACCOUNTING_APPROVER: {
        "erp_queue.decide_erprequest",
        "erp_queue.import_stagedrecord",
        "jobs.change_costtype",
        "jobs.sync_costcode",
        "budgets.post_budget",
        "vendors.link_company",
        # Accountants are the ones who work in the ERP itself.
        "ledger.add_erpjob",
        "ledger.change_erpjob",
        "ledger.add_erpjobcostcode",
        "ledger.change_erpjobcostcode",
        "ledger.delete_erpjobcostcode",
        "ledger.add_erpcostcode",
        "ledger.change_erpcostcode",
        "ledger.add_erpvendor",
        "ledger.change_erpvendor",
        "ledger.add_erpvendortype",
        "ledger.change_erpvendortype",
        "ledger.add_erpcommitment",
        "ledger.change_erpcommitment",
        "ledger.add_erpcommitmentline",
        "ledger.change_erpcommitmentline",
        "ledger.delete_erpcommitmentline",
    },
    VIEWER: set(),
    ERP_AGENT: {
        "erp_queue.export_erprequest",
        "erp_queue.add_stagedrecord",
        "jobs.add_costcode",
        "jobs.change_costcode",
        "jobs.sync_costcode",
        "budgets.post_budget",
        "vendors.add_vendortype",
        "vendors.change_vendortype",
    },
}


def sync_roles(sender=None, apps=global_apps, using="default", **kwargs):
    """Create the role groups and give each exactly its permissions plus read access to the domain.

    post_migrate fires once per app; the work is done once, for the core app, after creating the
    permissions of every app (auth would otherwise create the later apps' ones only after us).
    """
    if sender is not None and sender.label != "core":
        return
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    view_perms = list(
        Permission.objects.using(using).filter(content_type__app_label__in=DOMAIN_APPS, codename__startswith="view_")
    )
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = list(view_perms)
        for name in names:
            app_label, codename = name.split(".")
            perm = Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:  # an app not migrated yet on this database
                wanted.append(perm)
        group.permissions.set(wanted)

"""The ERP agent's contact with the app: heartbeats, and the approvers' notice when it goes silent."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.exceptions import PermissionDenied
from apps.erp_queue.models import AgentContact, AgentOutage

logger = logging.getLogger(__name__)


def agent_contact_record(*, worker, version="", host=""):
    """The agent was heard from (a heartbeat, a claim or a report): its last contact, and any outage is over."""
    now = timezone.now()
    defaults = {"last_contact_at": now}
    # A claim or report says only who it is: the version and host of its last heartbeat stay.
    if version:
        defaults["version"] = version[:64]
    if host:
        defaults["host"] = host[:255]
    worker = (worker or "agent")[:255]
    # Two queries on every claim and report: an UPDATE of the known agent (the new one's INSERT once), and the
    # outage's end (a no-op UPDATE when none is open).
    if not AgentContact.objects.filter(worker=worker).update(**defaults):
        try:
            with transaction.atomic():
                AgentContact.objects.create(worker=worker, **defaults)
        except IntegrityError:  # its first two calls at once: the other one created it
            AgentContact.objects.filter(worker=worker).update(**defaults)
    AgentOutage.objects.filter(ended_at=None).update(ended_at=now)


def agent_heartbeat(*, user, worker, version="", host=""):
    """An agent with nothing to do says it is alive, with the version it runs and the host it runs on."""
    if not user.has_perm("erp_queue.export_erprequest"):
        raise PermissionDenied("Only the ERP connector agent reports its heartbeat.")
    agent_contact_record(worker=worker, version=version, host=host)
    return AgentContact.objects.get(worker=(worker or "agent")[:255])


def _approver_addresses():
    perm = Permission.objects.get(content_type__app_label="erp_queue", codename="decide_erprequest")
    holders = Q(groups__permissions=perm) | Q(user_permissions=perm) | Q(is_superuser=True)
    users = get_user_model().objects.filter(holders)
    return sorted(set(users.filter(is_active=True).exclude(email="").values_list("email", flat=True)))


def _notice(health):
    last = health.last_contact
    heard = (
        f"It was last heard from at {timezone.localtime(last.last_contact_at):%Y-%m-%d %H:%M %Z} "
        f"(worker {last.worker}{f' on {last.host}' if last.host else ''})."
        if last
        else "It has never been heard from."
    )
    waiting = "\n".join(f"- {k.label}: {k.exporting}" for k in health.kinds if k.exporting)
    subject = f"ERP agent silent: {health.waiting_phrase}"
    body = (
        f"{health.problems[0]}\n\n{heard}\n\nAccepted exports waiting for the agent, per kind:\n{waiting}\n\n"
        "Nothing reaches Sage until the agent runs again: check the agent's service on the Sage server "
        "and its network. ERP Integrations → Integration health in the admin shows the same figures. "
        "You are told once per outage.\n"
    )
    return subject, body


def agent_outage_check(*, health):
    """Tell the approvers, once per outage, that no agent is exporting while accepted exports wait.

    Returns the outage opened now, or None (none, or one already known). Called by every health check; two
    at once open one outage (`since` is unique), and the e-mail goes after the commit, never failing the check.
    """
    if not health.agent_silent:
        return None
    last = health.last_contact
    since = last.last_contact_at.isoformat() if last else "never"
    try:
        with transaction.atomic():
            outage = AgentOutage.objects.create(since=since, started_at=health.checked_at)
            addresses = _approver_addresses()
            outage.notified = len(addresses)
            outage.save(update_fields=["notified"])
    except IntegrityError:
        return None
    if addresses:
        subject, body = _notice(health)
        transaction.on_commit(lambda: _send(subject, body, addresses))
    else:
        logger.warning("The ERP agent is silent and no approver has an e-mail address to be told: %s", health.problems)
    return outage


def _send(subject, body, addresses):
    try:
        send_mail(subject, body, None, addresses)
    except Exception:  # the notice must never fail the health check that found the outage
        logger.exception("Could not e-mail the approvers that the ERP agent is silent")

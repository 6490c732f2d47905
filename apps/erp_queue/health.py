"""How the integration is doing, read for monitors (`/health/`), the approvers' admin page and the outage notice."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from apps.erp_queue import registry
from apps.erp_queue.connectors import get_connector
from apps.erp_queue.models import AgentContact, ERPRequest

Status = ERPRequest.Status
#: How many of the longest waits the admin page lists.
SLOWEST = 5


@dataclass
class KindHealth:
    """One kind's queue: what waits for the approver, for the export, and what failed lately."""

    kind: str
    label: str
    waiting: int = 0
    oldest_waiting_at: datetime | None = None
    exporting: int = 0
    expired_leases: int = 0
    failed_last_24h: int = 0


@dataclass
class Health:
    checked_at: datetime
    connector: str
    exports_inline: bool
    silent_after: timedelta
    kinds: list[KindHealth]
    agents: list[AgentContact] = field(default_factory=list)

    @property
    def last_contact(self):
        return self.agents[0] if self.agents else None

    @property
    def exports_waiting(self):
        return sum(k.exporting for k in self.kinds)

    @property
    def silence(self):
        """How long no agent has been heard from (None when one never was)."""
        return self.checked_at - self.last_contact.last_contact_at if self.last_contact else None

    @property
    def agent_silent(self):
        """An agent should be exporting and none has been heard from lately: the approvers must know."""
        if self.exports_inline or not self.exports_waiting:
            return False
        return self.silence is None or self.silence > self.silent_after

    @property
    def waiting_phrase(self):
        n = self.exports_waiting
        return f"{n} accepted export waits" if n == 1 else f"{n} accepted exports wait"

    @property
    def problems(self):
        if not self.agent_silent:
            return []
        waiting = self.waiting_phrase
        if self.last_contact is None:
            return [f"No ERP agent has ever been heard from, and {waiting}."]
        minutes = int(self.silence.total_seconds() // 60)
        return [
            f"The ERP agent has not been heard from for {minutes} minute{'' if minutes == 1 else 's'}, and {waiting}."
        ]

    @property
    def healthy(self):
        return not self.problems


def integration_health(*, now=None):
    """The queue per kind (two queries whatever its size), and the agents' last contact."""
    now = now or timezone.now()
    since = now - timedelta(hours=24)
    open_or_failed = Q(status__in=[Status.READY_TO_EXPORT, Status.EXPORTING]) | Q(failed_at__gte=since)
    waiting = Q(status=Status.READY_TO_EXPORT)
    exporting = Q(status=Status.EXPORTING)
    rows = (
        ERPRequest.objects.filter(open_or_failed)
        .values("kind")
        .annotate(
            waiting=Count("id", filter=waiting),
            oldest_waiting_at=Min("sent_at", filter=waiting),
            exporting=Count("id", filter=exporting),
            expired_leases=Count("id", filter=exporting & Q(lease_expires_at__lt=now)),
            failed_last_24h=Count("id", filter=Q(failed_at__gte=since)),
        )
        .order_by()
    )
    figures = {row.pop("kind"): row for row in rows}
    connector = get_connector()
    return Health(
        checked_at=now,
        connector=connector.name,
        exports_inline=connector.exports_inline,
        silent_after=timedelta(minutes=settings.ERP_AGENT_SILENT_MINUTES),
        kinds=[KindHealth(kind, label, **figures.get(kind, {})) for kind, label in registry.kind_choices()],
        agents=list(AgentContact.objects.order_by("-last_contact_at")[:10]),
    )


def slowest_waits(*, limit=SLOWEST):
    """The open requests that have waited longest since they were sent, for a decision or for their export."""
    return list(
        ERPRequest.objects.filter(status__in=[Status.READY_TO_EXPORT, Status.EXPORTING])
        .select_related("sent_by")
        .order_by("sent_at", "id")[:limit]
    )


def _iso(value):
    return value.isoformat() if value else None


def health_document(health):
    """The figures as monitors read them: no secrets, no one's name."""
    agent = health.last_contact
    return {
        "status": "ok" if health.healthy else "unhealthy",
        "checked_at": _iso(health.checked_at),
        "problems": health.problems,
        "database": "ok",
        "connector": health.connector,
        "agent": {
            "last_contact_at": _iso(agent and agent.last_contact_at),
            "minutes_since_contact": int(health.silence.total_seconds() // 60) if agent else None,
            "silent_after_minutes": settings.ERP_AGENT_SILENT_MINUTES,
            "silent": health.agent_silent,
            "worker": agent.worker if agent else None,
            "version": agent.version if agent else None,
            "host": agent.host if agent else None,
        },
        "kinds": {
            k.kind: {
                "waiting_for_decision": k.waiting,
                "oldest_waiting_seconds": (
                    int((health.checked_at - k.oldest_waiting_at).total_seconds()) if k.oldest_waiting_at else None
                ),
                "exporting": k.exporting,
                "expired_leases": k.expired_leases,
                "failed_last_24h": k.failed_last_24h,
            }
            for k in health.kinds
        },
    }

"""Producers (jobs, budgets, …) register here from their AppConfig.ready(); erp_queue never imports them."""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


class Exporter:
    """What a producer app tells the queue about one kind of record it sends to the ERP."""

    kind = None
    model = None
    #: The admin form for the approver's inputs on accept (and, optional, on retry); None if none.
    accept_form = None

    def clean_inputs(self, *, request, inputs):
        """The approver's inputs for accept/retry, cleaned; raise ValidationError({field: msg}) if wrong."""
        return {}

    def request_changed(self, *, request, user):
        """The request moved to a new status: move the record's own ERP status with it."""
        raise NotImplementedError

    def entries_posted(self, *, request, user):
        """The ERP posted what this request exported (only budgets wait for posting)."""


@dataclass(frozen=True)
class Suggestion:
    """A record here that may be the same as a staged ERP record, and why it was suggested."""

    target_id: int
    label: str
    reasons: tuple[str, ...]


class Importer:
    """What a producer app does with a record the ERP staged under Ready to Import."""

    kind = None
    #: The app's model that staged records of this kind become or are linked to.
    model = None
    #: Whether a staged record may be linked to a record that already exists here. Only vendors:
    #: a job or a budget created in both systems can never be linked (SPEC §1).
    can_link = False

    def clean_data(self, data):
        """Validate what the ERP (or the agent) staged; return it cleaned, or raise ValidationError."""
        return data

    def label(self, data):
        return str(data.get("name", ""))

    def add_to_app(self, *, staged, user):
        """Create (or update) the app's record from the staged one and return it."""
        raise NotImplementedError

    def suggestions(self, staged_records):
        """{staged record pk: [Suggestion]} for staged records of this kind, computed for all of them at once."""
        return {}

    def link_form(self, staged):
        """The admin form that asks which record to link `staged` to: its `target` field cleans to that record."""
        raise NotImplementedError

    def link(self, *, staged, target_id, user):
        """Link the staged ERP record to the app's record `target_id` and return that record."""
        raise NotImplementedError


_exporters = {}
_importers = {}


def register_exporter(exporter):
    if exporter.kind in _exporters:
        raise ImproperlyConfigured(f"An ERP exporter for {exporter.kind!r} is already registered")
    _exporters[exporter.kind] = exporter


def register_importer(importer):
    if importer.kind in _importers:
        raise ImproperlyConfigured(f"An ERP importer for {importer.kind!r} is already registered")
    _importers[importer.kind] = importer


def exporter_for(kind):
    try:
        return _exporters[kind]
    except KeyError:
        raise ImproperlyConfigured(f"No app has registered an ERP exporter for {kind!r}") from None


def importer_for(kind):
    return _importers.get(kind)


def importable_kinds():
    return sorted(_importers)

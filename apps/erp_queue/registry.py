"""Producers (jobs, budgets, …) register here from their AppConfig.ready(); erp_queue never imports them."""

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


class Importer:
    """What a producer app does with a record the ERP staged under Ready to Import."""

    kind = None

    def clean_data(self, data):
        """Validate what the ERP (or the agent) staged; return it cleaned, or raise ValidationError."""
        return data

    def label(self, data):
        return str(data.get("name", ""))

    def add_to_app(self, *, staged, user):
        """Create (or update) the app's record from the staged one and return it."""
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

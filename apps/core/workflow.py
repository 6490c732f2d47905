"""Workflow steps, declared once, and the one way services run django-fsm transitions.

A `Step` names a transition of a model, what a person calls it and which service takes it; the
admin's buttons and the API's actions are made from the same declarations. Services run the
transition behind a step through `check_step` / `run_step`: state check (409), permission (403),
audit.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django_fsm import FSMFieldMixin, can_proceed, has_transition_perm, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from apps.core.exceptions import PermissionDenied, StepNotAllowed


def audited_transition(**kwargs):
    """A django-fsm transition (same arguments) whose every run is written to the audit trail: by whom, and why."""

    def decorate(method):
        return fsm_log_by(fsm_log_description(transition(**kwargs)(method)))

    return decorate


@dataclass(frozen=True)
class Step:
    """One workflow step of a record kind: the admin button and the API action are made from it.

    `transition` is the model's transition function (`Project.send`): its state graph, conditions
    and permission decide when the step is offered. `run(record, user, data)` calls the service and
    returns the record; `data` is what `form` (admin) or `serializer` (API) cleaned, or {}.
    `done` is the admin's success message ("{obj}" is the record), or callable(obj) -> (level, text).
    `available(record)` hides a step that does not apply to this record at all.
    """

    name: str
    label: str
    transition: Callable
    run: Callable
    done: str | Callable = "{obj}: done."
    summary: str = ""
    description: str = ""
    help: str = ""
    form: Callable | None = None
    serializer: type | None = None
    danger: bool = False
    available: Callable | None = None

    @property
    def action_name(self):
        """The API view method's name (`send-to-erp` → `send_to_erp`)."""
        return self.name.replace("-", "_")

    def bound(self, record):
        return self.transition.__get__(record, type(record))

    def allowed(self, record, user):
        if self.available is not None and not self.available(record):
            return False
        method = self.bound(record)
        return can_proceed(method) and (user is None or has_transition_perm(method, user))


def step_inputs(data):
    """What a step's form or serializer cleaned, without the fields left empty: the service's inputs."""
    return {key: value for key, value in data.items() if value not in ("", None)}


_steps = {}


def register_steps(model, steps):
    """Make `steps` the declared steps of `model`: what its records list as allowed and name in a 409."""
    _steps[model] = tuple(steps)


def steps_of(model):
    return _steps.get(model, ())


def allowed_steps(obj, user):
    """The step names (API spelling) that `user` may take on `obj` now.

    The state, the transition's conditions (cheap checks on the row itself) and the user's
    permission count here; preconditions that need queries are checked by the service.
    """
    return [step.name for step in steps_of(type(obj)) if step.allowed(obj, user)]


def _step_name(method):
    record = method.__self__
    function = method.__func__
    return next((s.name for s in steps_of(type(record)) if s.transition is function), function.__name__)


def _permitted(method, user):
    """The transition's permission alone (django-fsm's has_transition_perm also requires its conditions)."""
    meta = method._django_fsm
    record = method.__self__
    return meta.get_transition(meta.field.get_state(record)).has_perm(record, user)


def check_step(method, *, user, conditions=True):
    """Refuse the transition `method` (bound to a row) unless the state allows it (409) and `user` may (403).

    `user=None` is the system itself (the connector, a worker): no permission to check.
    `conditions=False` leaves the transition's conditions to a later, more telling check.
    Returns `method`.
    """
    obj = method.__self__
    if not can_proceed(method, check_conditions=conditions):
        field = method._django_fsm.field.name
        raise StepNotAllowed(
            record=str(obj),
            step=_step_name(method),
            state=getattr(obj, field),
            state_label=obj._get_FIELD_display(obj._meta.get_field(field)),
            allowed_steps=allowed_steps(obj, user),
        )
    if user is not None and not _permitted(method, user):
        raise PermissionDenied(f"You do not have permission to {_step_name(method).replace('-', ' ')} {obj}.")
    return method


def run_step(method, *, user, description=None, **kwargs):
    """Check and run the transition `method` on a row the caller has locked; the caller saves."""
    check_step(method, user=user)(by=user, description=description, **kwargs)


def full_clean(obj):
    """Model.full_clean, minus the protected FSM fields (clean_fields would set them, which they refuse)."""
    obj.full_clean(exclude=[f.name for f in obj._meta.fields if isinstance(f, FSMFieldMixin)])

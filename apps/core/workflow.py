"""The one way services run django-fsm transitions: state check (409), permission check (403), audit.

Also how the admin and the API find a record kind's export services (`export_step`).
"""

from django_fsm import FSMFieldMixin, can_proceed, has_transition_perm

from apps.core.exceptions import PermissionDenied, StepNotAllowed


def allowed_steps(obj, user):
    """The step names (API spelling) that `user` may take on `obj` now.

    Each workflow model declares STEPS: {step name: transition method name}. The state, the
    transition's conditions (cheap checks on the row itself) and the user's permission count here;
    preconditions that need queries are checked by the service.
    """
    steps = []
    for step, method_name in obj.STEPS.items():
        method = getattr(obj, method_name)
        if can_proceed(method) and (user is None or has_transition_perm(method, user)):
            steps.append(step)
    return steps


def _permitted(method, user):
    """The transition's permission alone (django-fsm's has_transition_perm also requires its conditions)."""
    meta = method._django_fsm
    record = method.__self__
    return meta.get_transition(meta.field.get_state(record)).has_perm(record, user)


def check_step(obj, step, *, user, conditions=True):
    """Refuse `step` unless the state allows it (409) and `user` holds its permission (403).

    `user=None` is the system itself (the connector, a worker): no permission to check.
    `conditions=False` leaves the transition's conditions to a later, more telling check.
    Returns the bound transition method.
    """
    method = getattr(obj, obj.STEPS.get(step, step))
    if not can_proceed(method, check_conditions=conditions):
        field = method._django_fsm.field.name
        raise StepNotAllowed(
            record=str(obj),
            step=step,
            state=getattr(obj, field),
            state_label=getattr(obj, f"get_{field}_display")(),
            allowed_steps=allowed_steps(obj, user),
        )
    if user is not None and not _permitted(method, user):
        raise PermissionDenied(f"You do not have permission to {step.replace('-', ' ')} {obj}.")
    return method


def run_step(obj, step, *, user, description=None, **kwargs):
    """Check and run the transition behind `step` on a row the caller has locked; the caller saves."""
    check_step(obj, step, user=user)(by=user, description=description, **kwargs)


def full_clean(obj):
    """Model.full_clean, minus the protected FSM fields (clean_fields would set them, which they refuse)."""
    obj.full_clean(exclude=[f.name for f in obj._meta.fields if isinstance(f, FSMFieldMixin)])


def export_step(services, record, step):
    """`run(obj, user)` → obj for one export step of a record kind: send, resend or retrieve.

    Each kind's services module names them `<record>_send`, `<record>_resend` and `<record>_retrieve`
    and takes the record by that name (`project_send(project=…, user=…)`); send and resend also
    answer the ERP request, which the admin and the API read back from the record.
    """
    service = getattr(services, f"{record}_{step}")

    def run(obj, user):
        answer = service(**{record: obj, "user": user})
        return answer[0] if isinstance(answer, tuple) else answer

    return run

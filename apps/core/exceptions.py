"""Domain errors raised by services; the API and the admin turn them into answers a person can act on."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["DomainError", "PermissionDenied", "StepNotAllowed", "ValidationError"]


class DomainError(Exception):
    """A rule of the workflow refused the request; the message says which and why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class StepNotAllowed(DomainError):
    """A workflow step was asked of a record whose state does not allow it (HTTP 409)."""

    def __init__(self, *, record, step, state, state_label, allowed_steps):
        self.step = step
        self.state = state
        self.allowed_steps = list(allowed_steps)
        allowed = ", ".join(self.allowed_steps) or "none"
        super().__init__(f"'{step}' is not allowed while {record} is {state_label}. Allowed steps now: {allowed}.")

"""Maps domain errors to HTTP: refused step 409, validation 400, permission 403."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.exceptions import DomainError, StepNotAllowed


def validation_detail(error):
    """A Django ValidationError as DRF's shape: {field: [messages]} or {"non_field_errors": [...]}."""
    if hasattr(error, "error_dict"):
        return {
            (field if field != "__all__" else "non_field_errors"): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    if isinstance(exc, StepNotAllowed):
        return Response(
            {"detail": exc.message, "status": exc.state, "allowed_steps": exc.allowed_steps},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        exc = exceptions.PermissionDenied(str(exc))
    return drf_exception_handler(exc, context)


def not_found(request, exception):
    """handler404: an API URL no route matches (an id like `1.5`) answers JSON, as the API's own 404s do."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)

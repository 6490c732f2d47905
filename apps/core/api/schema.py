"""OpenAPI documentation shared by every workflow step."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import get_doc
from drf_spectacular.utils import OpenApiResponse, extend_schema

from apps.core.api.serializers import DetailSerializer, StepConflictSerializer, ValidationErrorSerializer

ERROR_RESPONSES = {
    400: OpenApiResponse(ValidationErrorSerializer, description="Bad input: field name → messages."),
    401: OpenApiResponse(DetailSerializer, description="Not authenticated."),
    403: OpenApiResponse(DetailSerializer, description="The user may not take this step."),
    404: OpenApiResponse(DetailSerializer, description="No such record."),
    409: OpenApiResponse(StepConflictSerializer, description="Not allowed in the record's current state."),
}

# What any endpoint may answer, for the operations whose view does not document it itself.
DEFAULT_ERROR_RESPONSES = {
    400: OpenApiResponse(ValidationErrorSerializer, description="Bad input or filter: field name → messages."),
    401: ERROR_RESPONSES[401],
    403: OpenApiResponse(DetailSerializer, description="The user lacks the permission."),
    404: OpenApiResponse(DetailSerializer, description="No such record, or no such page."),
    429: OpenApiResponse(DetailSerializer, description="Too many requests: wait the seconds it says, then retry."),
}


def step_schema(*, request=None, response, summary, description=""):
    return extend_schema(
        request=request,
        responses={200: response, **ERROR_RESPONSES},
        summary=summary,
        description=description,
    )


class AutoSchema(SpectacularAutoSchema):
    """Adds the error answers DRF gives on its own (401, 403, 404, 400) where a view left them out."""

    def get_description(self):
        """The operation's own text: a view class's docstring is written for developers, not for API readers."""
        return get_doc(getattr(self.view, getattr(self.view, "action", self.method.lower()), None))

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._default_error_codes():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    DEFAULT_ERROR_RESPONSES[code], str(code), direction=direction
                )
        return responses

    def _default_error_codes(self):
        codes = [401]  # a wrong or stale token is refused even where no login is needed
        if getattr(self.view, "permission_classes", None):
            codes.append(403)
        # A detail route's unknown id, or a list's page past the end ("Invalid page.").
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.append(404)
        # A request body, or a filter value that is not one of its choices.
        if self.method in ("POST", "PUT", "PATCH") or self._get_filter_parameters():
            codes.append(400)
        if self.view.get_throttles():
            codes.append(429)
        return codes

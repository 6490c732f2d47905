"""OpenAPI documentation shared by every workflow step."""

from drf_spectacular.utils import OpenApiResponse, extend_schema

from apps.core.api.serializers import DetailSerializer, StepConflictSerializer, ValidationErrorSerializer

ERROR_RESPONSES = {
    400: OpenApiResponse(ValidationErrorSerializer, description="Bad input: field name → messages."),
    401: OpenApiResponse(DetailSerializer, description="Not authenticated."),
    403: OpenApiResponse(DetailSerializer, description="The user may not take this step."),
    404: OpenApiResponse(DetailSerializer, description="No such record."),
    409: OpenApiResponse(StepConflictSerializer, description="Not allowed in the record's current state."),
}


def step_schema(*, request=None, response, summary, description=""):
    return extend_schema(
        request=request,
        responses={200: response, **ERROR_RESPONSES},
        summary=summary,
        description=description,
    )

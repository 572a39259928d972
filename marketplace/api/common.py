"""What the store and the admin import APIs share besides the project's API kit (core.api): job ids in paths."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter

from core.api.ids import parse_path_id


def parse_job_id(value: str) -> int:
    """The integer id of a path segment; anything else is an unknown job (404, never a 500)."""
    return parse_path_id(value, not_found="No such import job.")


JOB_ID_PARAMETER = OpenApiParameter(
    "job_id",
    int,
    OpenApiParameter.PATH,
    description="Import job id.",
)

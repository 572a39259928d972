"""Store API, base /api/v1/store/feeds (SPEC 11): the store's three feeds, their schedules
and "Fetch now".

The store comes from the store JWT (accounts.api.permissions sets request.store): another
store's feeds cannot be named. Any member reads; owners and managers change and fetch.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import STORE_HEADER_PARAMETER, IsStoreMember, IsStoreWriter
from accounts.requests import authenticated_user
from core.api.errors import error_responses
from feeds.models import StoreFeed
from feeds.services import feed_update, feeds_for_store
from feeds.state import STATES, feed_state
from feeds.sync import feed_fetch_now
from marketplace.api.throttles import ImportCreateThrottle
from stores.models import Language

TAGS = ["store feeds"]
LANGUAGE_PARAMETER = OpenApiParameter(
    "language", str, OpenApiParameter.PATH, enum=list(Language.values), description="The feed's language."
)


def _language(value: str) -> str:
    if value not in Language.values:
        raise NotFound("No such feed: the languages are fr, en and de.")
    return value


class FeedOutputSerializer(serializers.Serializer[StoreFeed]):
    language = serializers.ChoiceField(choices=Language.choices)
    url = serializers.CharField(help_text="The store's letzshop_csv_url_{language}; empty when not set.")
    schedule = serializers.ChoiceField(choices=StoreFeed.Schedule.choices)
    every_hours = serializers.IntegerField(help_text="Hours between runs of an `hours` schedule (1-24).")
    daily_at = serializers.CharField(allow_null=True, help_text="HH:MM, Europe/Luxembourg, of a `daily` schedule.")
    state = serializers.ChoiceField(choices=[(state, state) for state in STATES])
    last_checked_at = serializers.DateTimeField(allow_null=True)
    last_check_result = serializers.ChoiceField(choices=StoreFeed.CheckResult.choices)
    last_import_job_id = serializers.IntegerField(allow_null=True)
    next_run_at = serializers.DateTimeField(allow_null=True)
    consecutive_failures = serializers.IntegerField()

    class Meta:
        ref_name = "StoreFeed"

    def to_representation(self, instance: StoreFeed) -> dict[str, Any]:
        held = instance.last_import_job is not None and instance.last_import_job.removal_held
        return {
            "language": instance.language,
            "url": instance.store.feed_url(instance.language),
            "schedule": instance.schedule,
            "every_hours": instance.every_hours,
            "daily_at": instance.daily_at.strftime("%H:%M") if instance.daily_at else None,
            "state": feed_state(instance, now=self.context["now"], removal_held=held),
            "last_checked_at": _iso(instance.last_checked_at),
            "last_check_result": instance.last_check_result,
            "last_import_job_id": instance.last_import_job_id,
            "next_run_at": _iso(instance.next_run_at),
            "consecutive_failures": instance.consecutive_failures,
        }


def _iso(value: datetime | None) -> str | None:
    return serializers.DateTimeField().to_representation(value) if value is not None else None


class FeedListSerializer(serializers.Serializer[dict[str, Any]]):
    items = FeedOutputSerializer(many=True)

    class Meta:
        ref_name = "StoreFeedList"


class FeedFetchStartedSerializer(serializers.Serializer[dict[str, Any]]):
    job_id = serializers.IntegerField()
    status = serializers.CharField()

    class Meta:
        ref_name = "StoreFeedFetchStarted"


class FeedFetchUnchangedSerializer(serializers.Serializer[dict[str, Any]]):
    job_id = serializers.IntegerField(allow_null=True, help_text="Always null: no import was needed.")
    result = serializers.ChoiceField(choices=[("unchanged", "unchanged")])
    checked_at = serializers.DateTimeField()

    class Meta:
        ref_name = "StoreFeedFetchUnchanged"


def _item(feed: StoreFeed) -> dict[str, Any]:
    return FeedOutputSerializer(feed, context={"now": timezone.now()}).data


class FeedListApi(APIView):
    permission_classes = [IsStoreMember]

    @extend_schema(
        operation_id="store_feeds_list",
        summary="The store's three feeds (fr, en, de) with their schedules and health",
        tags=TAGS,
        parameters=[STORE_HEADER_PARAMETER],
        responses={200: FeedListSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        feeds = feeds_for_store(store=request.store)
        now = timezone.now()
        for feed in feeds:
            feed.store = request.store  # the url comes from it: no query per feed
        serializer = FeedOutputSerializer(context={"now": now})
        return Response({"items": [serializer.to_representation(feed) for feed in feeds]})


class FeedUpdateApi(APIView):
    permission_classes = [IsStoreWriter]
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        """Only the keys sent change. Saving a schedule resumes a feed that paused itself."""

        url = serializers.CharField(
            max_length=2000, required=False, allow_blank=True, help_text="The feed's http(s) address; empty removes it."
        )
        schedule = serializers.ChoiceField(choices=StoreFeed.Schedule.choices, required=False)
        every_hours = serializers.IntegerField(required=False, min_value=1, max_value=24)
        daily_at = serializers.CharField(
            required=False, allow_null=True, allow_blank=True, help_text="HH:MM, Europe/Luxembourg."
        )

        class Meta:
            ref_name = "StoreFeedUpdate"

    @extend_schema(
        operation_id="store_feeds_partial_update",
        summary="Change a feed's address or schedule",
        tags=TAGS,
        parameters=[LANGUAGE_PARAMETER, STORE_HEADER_PARAMETER],
        request=InputSerializer,
        responses={200: FeedOutputSerializer, **error_responses(400, 401, 403, 404, 415)},
        examples=[
            OpenApiExample("Daily at 06:30", request_only=True, value={"schedule": "daily", "daily_at": "06:30"})
        ],
    )
    def patch(self, request: Request, language: str) -> Response:
        language = _language(language)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            feed = feed_update(store=request.store, language=language, url=data.pop("url", None), **data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from None
        feed.store = request.store
        return Response(_item(feed))


class FeedFetchApi(APIView):
    permission_classes = [IsStoreWriter]
    throttle_classes = [ImportCreateThrottle]
    throttle_scope = "import_create"

    @extend_schema(
        operation_id="store_feeds_fetch",
        summary="Fetch now: check the feed and import it if it changed",
        description="The conditional request and, for a changed body, its download run in this request; "
        "the import itself runs in the background (202). A 304 or a body identical to the last imported "
        "one answers 200 `unchanged` and starts nothing. A download failure is a 400 naming the reason.",
        tags=TAGS,
        request=None,
        parameters=[LANGUAGE_PARAMETER, STORE_HEADER_PARAMETER],
        responses={
            202: FeedFetchStartedSerializer,
            200: FeedFetchUnchangedSerializer,
            **error_responses(400, 401, 403, 404, 409, 429),
        },
    )
    def post(self, request: Request, language: str) -> Response:
        language = _language(language)
        result = feed_fetch_now(store=request.store, language=language, user=authenticated_user(request))
        if result.job is not None:
            body = FeedFetchStartedSerializer({"job_id": result.job.pk, "status": result.job.status}).data
            return Response(body, status=status.HTTP_202_ACCEPTED)
        body = FeedFetchUnchangedSerializer(
            {"job_id": None, "result": "unchanged", "checked_at": result.checked_at}
        ).data
        return Response(body, status=status.HTTP_200_OK)

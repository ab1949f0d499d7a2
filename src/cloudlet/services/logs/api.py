"""CloudWatch Logs' operations: wire parameters in, engine call, wire output back.

https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_Operations.html
"""

from __future__ import annotations

from typing import Any

from cloudlet.protocol.context import Context
from cloudlet.protocol.json_rpc import JsonService, Operation
from cloudlet.protocol.models import service_model
from cloudlet.protocol.validate import CLOUDWATCH_LOGS, ModelValidator
from cloudlet.services.logs.engine import errors, events
from cloudlet.services.logs.engine.catalog import Group, LogCatalog

Params = dict[str, Any]
PAGE = 50  # DescribeLogGroups / DescribeLogStreams default and maximum page size


def _page(items: list[Any], params: Params, key: Any, descending: bool = False) -> tuple[list[Any], str | None]:
    """A page of `items` (sorted by `key`) after nextToken (the last key of the previous page)."""
    token = params.get("nextToken")
    if token:
        items = [i for i in items if (key(i) < token if descending else key(i) > token)]
    limit = min(params.get("limit") or PAGE, PAGE)
    page = items[:limit]
    return page, (key(page[-1]) if len(items) > limit else None)


class LogsApi:
    def __init__(self, catalog: LogCatalog) -> None:
        self.cat = catalog

    def _group(self, p: Params, ctx: Context) -> Group:
        name = p.get("logGroupIdentifier") or p.get("logGroupName")
        if p.get("logGroupIdentifier") and p.get("logGroupName"):
            raise errors.invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        if not name:
            raise errors.invalid("Either logGroupName or logGroupIdentifier should be provided")
        return self.cat.group(ctx.account, ctx.region, name)

    # -- groups
    async def create_log_group(self, p: Params, ctx: Context) -> Params:
        await self.cat.create_group(ctx.account, ctx.region, p)
        return {}

    async def delete_log_group(self, p: Params, ctx: Context) -> Params:
        await self.cat.delete_group(self._group(p, ctx))
        return {}

    async def describe_log_groups(self, p: Params, ctx: Context) -> Params:
        groups = self.cat.groups(ctx.account, ctx.region)
        prefix, pattern = p.get("logGroupNamePrefix"), p.get("logGroupNamePattern")
        if prefix and pattern:
            raise errors.invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
        if prefix:
            groups = [g for g in groups if g.name.startswith(prefix)]
        if pattern:
            groups = [g for g in groups if pattern.lower() in g.name.lower()]
        if p.get("logGroupClass"):
            groups = [g for g in groups if g.group_class == p["logGroupClass"]]
        page, token = _page(groups, p, lambda g: g.name)
        await self.cat.settle()  # storedBytes counts the lines still in the ingest buffer
        sizes = await self.cat.store.run(lambda txn: [txn.item_stats(g.table_id)[1] for g in page])
        out: Params = {"logGroups": [g.describe(n) for g, n in zip(page, sizes, strict=True)]}
        if token:
            out["nextToken"] = token
        return out

    async def put_retention_policy(self, p: Params, ctx: Context) -> Params:
        days = p["retentionInDays"]
        if days not in events.RETENTION_DAYS:
            raise errors.invalid(
                f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(map(str, events.RETENTION_DAYS))}]"
            )
        g = self._group(p, ctx)
        g.retention_days = days
        await self.cat.save_group(g)
        await events.purge_expired(self.cat, [g])
        return {}

    async def delete_retention_policy(self, p: Params, ctx: Context) -> Params:
        g = self._group(p, ctx)
        g.retention_days = None
        await self.cat.save_group(g)
        return {}

    # -- streams
    async def create_log_stream(self, p: Params, ctx: Context) -> Params:
        await self.cat.create_stream(self._group(p, ctx), p["logStreamName"])
        return {}

    async def delete_log_stream(self, p: Params, ctx: Context) -> Params:
        g = self._group(p, ctx)
        await self.cat.delete_stream(g, self.cat.stream(g, p["logStreamName"]))
        return {}

    async def describe_log_streams(self, p: Params, ctx: Context) -> Params:
        g = self._group(p, ctx)
        streams = list(self.cat.streams(g).values())
        prefix = p.get("logStreamNamePrefix")
        by_time = p.get("orderBy") == "LastEventTime"
        if prefix and by_time:
            raise errors.invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        if prefix:
            streams = [s for s in streams if s.name.startswith(prefix)]
        if by_time:
            # Sorted by last event time, then name; the token is that pair, zero-padded.
            def key(s: Any) -> str:
                return f"{s.last_event or 0:020d}/{s.name}"
        else:
            def key(s: Any) -> str:
                return s.name
        descending = bool(p.get("descending"))
        streams.sort(key=key, reverse=descending)
        page, nxt = _page(streams, p, key, descending)
        out: Params = {"logStreams": [s.describe(g) for s in page]}
        if nxt:
            out["nextToken"] = nxt
        return out

    # -- events
    async def put_log_events(self, p: Params, ctx: Context) -> Params:
        g = self._group(p, ctx)
        return await events.put(self.cat, g, self.cat.stream(g, p["logStreamName"]), p["logEvents"])

    async def get_log_events(self, p: Params, ctx: Context) -> Params:
        g = self._group(p, ctx)
        return await events.get(self.cat, g, self.cat.stream(g, p["logStreamName"]), p)

    async def filter_log_events(self, p: Params, ctx: Context) -> Params:
        return await events.filter_events(self.cat, self._group(p, ctx), p)

    # -- tags (the ARN forms, and the older log-group-name forms)
    def _by_arn(self, arn: str, ctx: Context) -> Group:
        try:
            return self.cat.group(ctx.account, ctx.region, arn)
        except Exception:
            raise errors.no_resource(arn) from None

    async def _set_tags(self, g: Group, add: dict[str, str], drop: list[str]) -> Params:
        tags = {k: v for k, v in {**g.tags, **add}.items() if k not in drop}
        if len(tags) > 50:
            raise errors.invalid("A resource can have no more than 50 tags.")
        g.tags = tags
        await self.cat.save_group(g)
        return {}

    async def tag_resource(self, p: Params, ctx: Context) -> Params:
        return await self._set_tags(self._by_arn(p["resourceArn"], ctx), p["tags"], [])

    async def untag_resource(self, p: Params, ctx: Context) -> Params:
        return await self._set_tags(self._by_arn(p["resourceArn"], ctx), {}, p["tagKeys"])

    async def list_tags_for_resource(self, p: Params, ctx: Context) -> Params:
        return {"tags": dict(self._by_arn(p["resourceArn"], ctx).tags)}

    async def tag_log_group(self, p: Params, ctx: Context) -> Params:
        return await self._set_tags(self._group(p, ctx), p["tags"], [])

    async def untag_log_group(self, p: Params, ctx: Context) -> Params:
        return await self._set_tags(self._group(p, ctx), {}, p["tags"])

    async def list_tags_log_group(self, p: Params, ctx: Context) -> Params:
        return {"tags": dict(self._group(p, ctx).tags)}

    def operations(self) -> dict[str, Operation]:
        return {
            "CreateLogGroup": self.create_log_group,
            "DeleteLogGroup": self.delete_log_group,
            "DescribeLogGroups": self.describe_log_groups,
            "PutRetentionPolicy": self.put_retention_policy,
            "DeleteRetentionPolicy": self.delete_retention_policy,
            "CreateLogStream": self.create_log_stream,
            "DeleteLogStream": self.delete_log_stream,
            "DescribeLogStreams": self.describe_log_streams,
            "PutLogEvents": self.put_log_events,
            "GetLogEvents": self.get_log_events,
            "FilterLogEvents": self.filter_log_events,
            "TagResource": self.tag_resource,
            "UntagResource": self.untag_resource,
            "ListTagsForResource": self.list_tags_for_resource,
            "TagLogGroup": self.tag_log_group,
            "UntagLogGroup": self.untag_log_group,
            "ListTagsLogGroup": self.list_tags_log_group,
        }


def build_service(catalog: LogCatalog) -> JsonService:
    model = service_model("logs")
    validator = ModelValidator(model, flavour=CLOUDWATCH_LOGS)
    return JsonService(
        "Logs",
        model.metadata["targetPrefix"],
        LogsApi(catalog).operations(),
        content_type="application/x-amz-json-1.1",
        error_type=lambda code: code,
        validator=validator.validate,
        known_operations=frozenset(model.operation_names),
    )


"""Notification rules of an AF database with their subscribers: the alarm configuration, as one Arrow table.

PI Web API serves them from its 2018 release on (`notificationrules/search`, one `POST /batch` for many rules'
`notificationrulesubscribers`); an older server has no such controller and `PIUnsupportedError` says so.
"""

from __future__ import annotations

import pyarrow as pa

from osipi_lakeflow.client.listing import batch_get_each, paged
from osipi_lakeflow.client.parse import duration_or_none
from osipi_lakeflow.client.session import Transport
from osipi_lakeflow.errors import PINotFoundError, PIUnsupportedError

NOTIFICATION_RULES_SINCE = "PI Web API 2018"
"""The first release with the NotificationRule controller (PI Web API changelog, 2018: "Read for ... notification
rules, notification rule subscribers ...")."""
_NO_CONTROLLER = "No HTTP resource was found"

SUBSCRIBER_TYPE = pa.struct(
    [
        pa.field("webid", pa.string(), nullable=False),
        pa.field("id", pa.string()),
        pa.field("name", pa.string()),
        pa.field("description", pa.string()),
        pa.field("path", pa.string()),
        pa.field("config_string", pa.string()),
        pa.field("contact_template_name", pa.string()),
        pa.field("contact_type", pa.string()),
        pa.field("delivery_format_name", pa.string()),
        pa.field("plug_in_name", pa.string()),
        pa.field("escalation_timeout", pa.duration("us")),
        pa.field("maximum_retries", pa.int32()),
        pa.field("notify_option", pa.string()),
        pa.field("retry_interval", pa.duration("us")),
    ]
)
NOTIFICATION_RULE_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field("webid", pa.string(), nullable=False),
        pa.field("id", pa.string()),
        pa.field("name", pa.string()),
        pa.field("description", pa.string()),
        pa.field("path", pa.string()),
        pa.field("auto_created", pa.bool_()),
        pa.field("category_names", pa.list_(pa.string())),
        pa.field("criteria", pa.string()),
        pa.field("multi_trigger_event_option", pa.string()),
        pa.field("nonrepetition_interval", pa.duration("us")),
        pa.field("resend_interval", pa.duration("us")),
        pa.field("status", pa.string()),
        pa.field("template_name", pa.string()),
        pa.field("subscribers", pa.list_(SUBSCRIBER_TYPE)),
    ]
)
"""One row per notification rule (the `NotificationRule` model), its subscribers nested in PI's order; AF time
spans (ISO-8601 durations) are durations, `MaximumRetries` an integer."""

_RULE_KEYS = {
    "webid": "WebId", "id": "Id", "name": "Name", "description": "Description", "path": "Path",
    "auto_created": "AutoCreated", "category_names": "CategoryNames", "criteria": "Criteria",
    "multi_trigger_event_option": "MultiTriggerEventOption", "nonrepetition_interval": "NonrepetitionInterval",
    "resend_interval": "ResendInterval", "status": "Status", "template_name": "TemplateName",
}  # fmt: skip
_SUBSCRIBER_KEYS = {
    "webid": "WebId", "id": "Id", "name": "Name", "description": "Description", "path": "Path",
    "config_string": "ConfigString", "contact_template_name": "ContactTemplateName", "contact_type": "ContactType",
    "delivery_format_name": "DeliveryFormatName", "plug_in_name": "PlugInName",
    "escalation_timeout": "EscalationTimeout", "maximum_retries": "MaximumRetries", "notify_option": "NotifyOption",
    "retry_interval": "RetryInterval",
}  # fmt: skip


def notification_rules(transport: Transport, database_webid: str, page_size: int, rules_per_call: int) -> pa.Table:
    """Every notification rule of a database with its subscribers, in `NOTIFICATION_RULE_SCHEMA`."""
    params = [("databaseWebId", database_webid), ("selectedFields", _selected("Items", _RULE_KEYS))]
    try:
        rules = list(paged(transport, "notificationrules/search", params, page_size))
    except PINotFoundError as error:
        if _NO_CONTROLLER in str(error):
            raise PIUnsupportedError("notification rules", NOTIFICATION_RULES_SINCE, url=error.url) from error
        raise
    subscribers = _subscribers(transport, [r["WebId"] for r in rules], rules_per_call)
    rows = [dict(_row(r, _RULE_KEYS), subscribers=subscribers.get(r["WebId"], [])) for r in rules]
    return pa.Table.from_pylist(rows, schema=NOTIFICATION_RULE_SCHEMA)


def _subscribers(transport: Transport, rules: list[str], per_call: int) -> dict[str, list[dict]]:
    """Subscriber rows of each rule, many rules per `POST /batch`; a rule deleted meanwhile (404) has none."""
    params = [("selectedFields", _selected("Items", _SUBSCRIBER_KEYS))]
    found: dict[str, list[dict]] = {}
    path = "notificationrules/{}/notificationrulesubscribers"
    for rule, content in batch_get_each(transport, rules, path, params, per_call):
        items = (content or {}).get("Items") or []
        found[rule] = [_row(i, _SUBSCRIBER_KEYS) for i in items if isinstance(i, dict)]
    return found


def _selected(prefix: str, keys: dict[str, str]) -> str:
    return ";".join(f"{prefix}.{name}" for name in keys.values())


def _row(item: dict, keys: dict[str, str]) -> dict:
    """A rule or subscriber as a row: durations parsed, the rest as PI sent it (Arrow checks each type)."""
    row = {column: item.get(name) for column, name in keys.items()}
    for column in ("nonrepetition_interval", "resend_interval", "escalation_timeout", "retry_interval"):
        if column in row:
            row[column] = duration_or_none(row[column])
    return row

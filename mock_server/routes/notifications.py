"""Notification rules (AF alarm configuration) and their subscribers: read routes of PI Web API 2018 and later.

The 2018 SP1 swagger's `NotificationRule` model has no `Links`, so rules carry none; a client reaches a rule's
subscribers through `notificationrules/{webId}/notificationrulesubscribers`.
"""

from __future__ import annotations

import re
from typing import Any

from mock_server import webids
from mock_server.lookup import check_database, collection_paging, paged, resolve_element, wildcard
from mock_server.notifications import CONTACTS, Rule, iso_duration
from mock_server.releases import NOTIFICATION_RULES
from mock_server.routing import Ctx, PIError, Router, not_found

router = Router()
OBJ = ("selectedFields", "webIdType")
_NAME_TERM = re.compile(r"^name:=?(?:'([^']*)'|\"([^\"]*)\"|(\S+))$", re.IGNORECASE)


def rule_object(ctx: Ctx, rule: Rule) -> dict[str, Any]:
    """A notification rule (`NotificationRule` model)."""
    archive = ctx.state.archive
    return {
        "WebId": archive.rule_webid(rule, ctx.id_type),
        "Id": str(archive.ids.guid("notificationrule", rule.index)),
        "Name": rule.name,
        "Description": f"{rule.name} for {archive.plant.elements[rule.element].name}",
        "Path": archive.rule_path(rule),
        "AutoCreated": False,
        "CategoryNames": [],
        "Criteria": rule.criteria,
        "MultiTriggerEventOption": "HighestSeverity",
        "NonrepetitionInterval": iso_duration(rule.nonrepetition_interval),
        "ResendInterval": iso_duration(rule.resend_interval),
        "Status": "Enabled" if rule.enabled else "Disabled",
        "TemplateName": "",
    }


def resolve_rule(ctx: Ctx, web_id: str) -> Rule:
    """The rule of a notification-rule WebId; 404 otherwise."""
    decoded = webids.decode(web_id)
    archive = ctx.state.archive
    found = None
    if decoded is not None and decoded.marker == "NR":
        if decoded.path is not None:
            found = next(
                (r for r in archive.notification_rule_set if archive.rule_path(r).upper() == decoded.path), None
            )
        elif decoded.parts[0] == archive.af_guid:
            parsed = archive.ids.parse_guid(decoded.parts[1])
            found = archive.notification_rule(parsed[1]) if parsed and parsed[0] == "notificationrule" else None
    if found is None:
        raise not_found(web_id)
    return found


@router.add("GET", "/elements/{webId}/notificationrules", OBJ, since=NOTIFICATION_RULES)
def element_rules(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """The notification rules of one element."""
    element = resolve_element(ctx, web_id)
    rules = [r for r in ctx.state.archive.notification_rule_set if r.element == element]
    return {"Links": {}, "Items": [rule_object(ctx, r) for r in rules]}


@router.add(
    "GET",
    "/notificationrules/search",
    ("databaseWebId", "query", "startIndex", "maxCount") + OBJ,
    since=NOTIFICATION_RULES,
)
def search(ctx: Ctx) -> dict[str, Any]:
    """Rules of the database matching `query` (the mock reads `Name:=pattern` terms only), by path, paged."""
    database = ctx.query.get("databaseWebId")
    if not database:
        raise PIError(400, "The parameter 'databaseWebId' is required.")
    check_database(ctx, database)
    start_index, max_count = collection_paging(ctx)
    archive = ctx.state.archive
    rules = sorted(archive.notification_rule_set, key=archive.rule_path)
    for term in (ctx.query.get("query") or "").split():
        match = _NAME_TERM.match(term)
        if match is None:
            raise PIError(400, f"The query term '{term}' is not supported by the mock; use Name:=<pattern>.")
        pattern = wildcard(next(g for g in match.groups() if g is not None))
        rules = [r for r in rules if pattern.fullmatch(r.name)]
    page = paged(ctx, rules, start_index, max_count)
    page["Items"] = [rule_object(ctx, r) for r in page["Items"]]
    return page


@router.add("GET", "/notificationrules/{webId}", OBJ, since=NOTIFICATION_RULES)
def rule(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """One notification rule."""
    return rule_object(ctx, resolve_rule(ctx, web_id))


@router.add("GET", "/notificationrules/{webId}/notificationrulesubscribers", OBJ, since=NOTIFICATION_RULES)
def subscribers(ctx: Ctx, web_id: str) -> dict[str, Any]:
    """Who a rule notifies (`NotificationRuleSubscriber` model), in the rule's order."""
    found = resolve_rule(ctx, web_id)
    archive = ctx.state.archive
    items = []
    for s in found.subscribers:
        name, contact_type, plug_in, config = CONTACTS[s.contact]
        items.append(
            {
                "WebId": archive.subscriber_webid(found, s, ctx.id_type),
                "Id": str(archive.ids.guid("subscriber", s.index)),
                "Name": name,
                "Description": f"{name} by {plug_in}",
                "Path": archive.subscriber_path(found, s),
                "ConfigString": config,
                "ContactTemplateName": name,
                "ContactType": contact_type,
                "DeliveryFormatName": "Default",
                "PlugInName": plug_in,
                "EscalationTimeout": iso_duration(s.escalation_timeout),
                "MaximumRetries": s.maximum_retries,
                "NotifyOption": s.notify_option,
                "RetryInterval": iso_duration(s.retry_interval),
            }
        )
    return {"Links": {}, "Items": items}

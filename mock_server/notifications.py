"""Notification rules of the plant's AF database: who hears of the alarms its equipment raises, from the seed.

Each equipment element (one with PI points, where alarm event frames happen) draws from (seed, element) whether
it has an "Alarm Notification" rule (every alarm frame on it) and a "Critical Alarm Escalation" rule (Major and
Critical ones), whether each rule is Enabled, and one to three subscribers from the plant's contacts. Rules do not
change with the clock: AF configuration is not time series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mock_server.plant import Plant

RULES_PER_ELEMENT = 2  # rule index = element * RULES_PER_ELEMENT + kind
SUBSCRIBERS_PER_RULE = 4  # subscriber index = rule index * SUBSCRIBERS_PER_RULE + slot
KINDS = (  # (name, criteria: an AF search over the element's event frames, share of equipment with the rule)
    ("Alarm Notification", "Template:=Alarm", 0.6),
    ("Critical Alarm Escalation", "Template:=Alarm Severity:>=Major", 0.3),
)
CONTACTS = (  # (name, contact type, delivery plug-in, its configuration)
    ("Shift Supervisor", "Individual", "Email", "ToEmail=shift.supervisor@plant.example"),
    ("Maintenance Team", "Group", "Email", "ToEmail=maintenance@plant.example"),
    ("Control Room", "Individual", "WebService", "Url=https://alerts.plant.example/pi"),
    ("Reliability Engineer", "Individual", "Email", "ToEmail=reliability@plant.example"),
)


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A contact told of a rule's notifications, and how delivery is retried."""

    index: int
    contact: int  # into CONTACTS
    notify_option: str  # EventStart or EventStartAndEnd
    maximum_retries: int
    retry_interval: int  # seconds
    escalation_timeout: int  # seconds


@dataclass(frozen=True, slots=True)
class Rule:
    """A notification rule on an equipment element."""

    index: int
    element: int
    kind: int  # into KINDS
    enabled: bool
    nonrepetition_interval: int  # seconds
    resend_interval: int  # seconds
    subscribers: tuple[Subscriber, ...]

    @property
    def name(self) -> str:
        """The rule's name (unique on its element)."""
        return KINDS[self.kind][0]

    @property
    def criteria(self) -> str:
        """Which event frames trigger the rule."""
        return KINDS[self.kind][1]


def plant_rules(plant: Plant) -> tuple[Rule, ...]:
    """Every rule of the plant, by element then kind."""
    return tuple(rule for e in plant.elements if e.point_count for rule in _element_rules(plant.seed, e.index))


def _element_rules(seed: int, element: int) -> list[Rule]:
    rng = np.random.default_rng([seed, 0x4E52, element])
    rules = []
    for kind, (_, _, share) in enumerate(KINDS):
        draws = rng.random(3)
        if draws[0] >= share:
            continue
        index = element * RULES_PER_ELEMENT + kind
        contacts = rng.permutation(len(CONTACTS))[: 1 + int(draws[1] * 3)]
        subscribers = tuple(
            Subscriber(
                index * SUBSCRIBERS_PER_RULE + slot,
                int(contact),
                ("EventStart", "EventStartAndEnd")[int(rng.integers(2))],
                int(rng.integers(0, 6)),
                60 * int(rng.integers(1, 16)),
                0 if kind == 0 else 900,
            )
            for slot, contact in enumerate(contacts.tolist())
        )
        rules.append(
            Rule(index, element, kind, bool(draws[2] < 0.8), 60 * int(rng.integers(0, 31)), 3600 * kind, subscribers)
        )
    return rules


def iso_duration(seconds: int) -> str:
    """An AF time span as ISO-8601 duration text (`PT0S`, `PT15M`, `PT1H30M`), as PI Web API writes them."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return f"PT{text or '0S'}"

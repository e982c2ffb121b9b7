"""Find the tags to ingest: walk AF databases for attributes with PI Point data references, filter, dedupe.

Discovery talks to PI Web API only through the small `TagSource` protocol (the client's `PIWebAPI` satisfies it),
so unit tests can hand it a fake and integration tests the real client against the mock server.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Protocol

from rich.progress import Progress

from generator.errors import DiscoveryError, NoTagsError
from generator.plan import Tag
from osipi_lakeflow.models import AssetDatabase, Attribute, DataServer, Element, Point

PI_POINT_REFERENCE = "PI Point"

# AF value type of a PI Point attribute for each PI point type: attributes carry the AF type, not the point type
AF_TYPES_OF_POINT_TYPE: dict[str, frozenset[str]] = {
    "float16": frozenset({"single", "double"}),
    "float32": frozenset({"single"}),
    "float64": frozenset({"double"}),
    "int16": frozenset({"int16"}),
    "int32": frozenset({"int32"}),
    "digital": frozenset({"enumerationvalue"}),
    "string": frozenset({"string"}),
    "timestamp": frozenset({"datetime"}),
    "blob": frozenset({"byte[]", "blob"}),
}


class TagSource(Protocol):
    """The part of the PI Web API client discovery needs."""

    def asset_database(self, path: str) -> AssetDatabase: ...  # noqa: D102

    def elements(  # noqa: D102
        self,
        db: AssetDatabase,
        template_name: str | None = None,
        category_name: str | None = None,
        name_filter: str | None = None,
    ) -> Iterator[Element]: ...

    def attributes(self, elements: Sequence[Element], pi_points_only: bool = True) -> Iterator[Attribute]: ...  # noqa: D102

    def data_server(self, name: str | None = None) -> DataServer: ...  # noqa: D102

    def points(self, data_server: DataServer, name_filter: str) -> Iterator[Point]: ...  # noqa: D102


@dataclass(frozen=True, slots=True)
class DiscoverySpec:
    r"""What to look for. Empty filters match everything; several values of one filter match any of them.

    Attributes:
        af_databases: AF database paths such as `\\AFSERVER\Database`, walked in full (with paging).
        templates: element template names (PI's templateName, derived templates included).
        categories: element category names.
        element_paths: glob patterns on the element path (case-insensitive, `*` spans levels).
        attribute_names: glob patterns on the attribute name.
        point_types: PI point types (Float32, Digital, ...); AF attributes match through their AF value type.
        exclude: glob patterns on the point name, point WebId or attribute path; matches are dropped.
        point_name_filters: extra points by name filter on the data server (PI's `nameFilter` syntax).
        data_server: data server for `point_name_filters` (default: the server PI Web API lists first).
    """

    af_databases: tuple[str, ...]
    templates: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    element_paths: tuple[str, ...] = ()
    attribute_names: tuple[str, ...] = ()
    point_types: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    point_name_filters: tuple[str, ...] = ()
    data_server: str | None = None

    @property
    def has_source(self) -> bool:
        """Whether the spec names somewhere to look (an AF database or a data-server name filter)."""
        return bool(self.af_databases or self.point_name_filters)

    def is_empty(self) -> bool:
        """Nothing given at all: the caller should reuse the plan's recorded spec."""
        return not any(v for _, v in self._filters()) and self.data_server is None

    def to_record(self) -> dict[str, list[str]]:
        """A JSON-able form kept in the plan file."""
        record = {name: list(value) for name, value in self._filters()}
        record["data_server"] = [self.data_server] if self.data_server else []
        return record

    @classmethod
    def from_record(cls, record: dict[str, list[str]]) -> DiscoverySpec:
        """The spec `to_record` wrote."""
        values = {name: tuple(record.get(name, ())) for name in cls.__dataclass_fields__ if name != "data_server"}
        server = record.get("data_server") or []
        return cls(**values, data_server=server[0] if server else None)

    def describe(self) -> str:
        """The filters in force, for error messages."""
        parts = [f"{name}={list(value)}" for name, value in self._filters() if value]
        return ", ".join(parts) or "no filters"

    def _filters(self) -> list[tuple[str, tuple[str, ...]]]:
        return [
            ("af_databases", self.af_databases),
            ("templates", self.templates),
            ("categories", self.categories),
            ("element_paths", self.element_paths),
            ("attribute_names", self.attribute_names),
            ("point_types", self.point_types),
            ("exclude", self.exclude),
            ("point_name_filters", self.point_name_filters),
        ]


def _any_glob(value: str, patterns: Iterable[str]) -> bool:
    lowered = value.casefold()
    return any(fnmatchcase(lowered, p.casefold()) for p in patterns)


def _element_matches(element: Element, spec: DiscoverySpec) -> bool:
    if spec.templates and element.template.casefold() not in {t.casefold() for t in spec.templates}:
        return False
    wanted = {c.casefold() for c in spec.categories}
    if wanted and not wanted & {c.casefold() for c in element.categories}:
        return False
    return not spec.element_paths or _any_glob(element.path, spec.element_paths)


def _attribute_matches(attribute: Attribute, spec: DiscoverySpec) -> bool:
    if attribute.data_reference != PI_POINT_REFERENCE or not attribute.point_webid:
        return False
    if spec.attribute_names and not _any_glob(attribute.name, spec.attribute_names):
        return False
    if spec.point_types:
        allowed = frozenset().union(
            *(AF_TYPES_OF_POINT_TYPE.get(t.casefold(), {t.casefold()}) for t in spec.point_types)
        )
        if attribute.type.casefold() not in allowed:
            return False
    keys = (attribute.point_name or "", attribute.point_webid, attribute.path)
    return not any(_any_glob(k, spec.exclude) for k in keys if k)


def _single(values: tuple[str, ...]) -> str | None:
    """A filter PI can apply on the server: only when exactly one value is asked for."""
    return values[0] if len(values) == 1 else None


def _af_tags(pi: TagSource, path: str, spec: DiscoverySpec, progress: Progress | None) -> Iterator[Tag]:
    db = pi.asset_database(path)
    task = progress.add_task(f"AF {path}: elements", total=None) if progress else None
    elements = []
    for element in pi.elements(db, template_name=_single(spec.templates), category_name=_single(spec.categories)):
        if _element_matches(element, spec):
            elements.append(element)
        if progress and task is not None:
            progress.advance(task)
    if progress and task is not None:
        progress.update(task, description=f"AF {path}: attributes", total=len(elements), completed=0)
    owners: set[str] = set()
    for attribute in pi.attributes(elements, pi_points_only=True):
        if progress and task is not None and attribute.owner_webid not in owners:
            owners.add(attribute.owner_webid)  # attributes arrive element by element: count elements done
            progress.update(task, completed=len(owners))
        if _attribute_matches(attribute, spec):
            yield Tag(attribute.point_webid or "", attribute.point_name or attribute.name)
    if progress and task is not None:
        progress.update(task, completed=len(elements))


def _server_tags(pi: TagSource, spec: DiscoverySpec, progress: Progress | None) -> Iterator[Tag]:
    if not spec.point_name_filters:
        return
    server = pi.data_server(spec.data_server)
    task = progress.add_task(f"points on {server.name}", total=None) if progress else None
    wanted_types = {t.casefold() for t in spec.point_types}
    for name_filter in spec.point_name_filters:
        for point in pi.points(server, name_filter):
            if progress and task is not None:
                progress.advance(task)
            if wanted_types and point.point_type.casefold() not in wanted_types:
                continue
            if not any(_any_glob(k, spec.exclude) for k in (point.name, point.webid, point.path)):
                yield Tag(point.webid, point.name)


def discover_tags(pi: TagSource, spec: DiscoverySpec, progress: Progress | None = None) -> list[Tag]:
    """The tags `spec` selects, one per point WebId (a point referenced by several attributes counts once).

    Tags come back with no load estimate (0 events/hour), sorted by WebId.

    Raises:
        NoTagsError: the filters matched no tag (the message lists the filters).
        osipi_lakeflow.errors.PIWebAPIError: from the client (see `client_error`).
    """
    if not spec.af_databases and not spec.point_name_filters:
        raise DiscoveryError("nothing to discover: pass --af-database (repeatable) and/or --point-filter")
    found: dict[str, Tag] = {}
    for path in spec.af_databases:
        for tag in _af_tags(pi, path, spec, progress):
            found.setdefault(tag.webid, tag)
    for tag in _server_tags(pi, spec, progress):
        found.setdefault(tag.webid, tag)
    if not found:
        raise NoTagsError(
            f"no tag matched ({spec.describe()}): loosen the filters (check template and category spelling, "
            "that the attributes use the PI Point data reference, and the --exclude patterns)"
        )
    return [found[w] for w in sorted(found)]

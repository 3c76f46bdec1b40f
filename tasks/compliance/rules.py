"""Compliance rule files: `compliance/<platform>.yaml` (shipped) and `inventory/<customer>/compliance.yaml`.

A rule file holds `rules:` (see docs/compliance.md): each rule has an `id`, a `feature`, a `kind`
(`required`: each `match` regex must match some line; `forbidden`: no line may match any; `golden`: the lines of
`section` must equal the rendered `template`), a `severity` (`fail` or `warn`) and optionally `applies_to`
(roles, groups, sites; in a customer file also `platforms`). A customer file may also hold `waivers:` of its
rules. A customer rule with the id of a shipped rule replaces it for that customer; a new id extends the set and
must name its `platforms` (a rule's lines are in one platform's form). Every problem is one `RulesError` line:

>>> from tasks.yamlfile import parse_yaml
>>> doc = parse_yaml("rules:\\n  - id: ntp\\n    feature: ntp\\n    kind: required\\n    match: ['(']\\n", "x.yaml")
>>> rule_file(doc, "paloalto_panos")
Traceback (most recent call last):
...
tasks.errors.RulesError: x.yaml:5: rules[0].match[0]: rule 'ntp': not a valid regular expression '(': missing ), \
unterminated subpattern at position 0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tasks.errors import RulesError
from tasks.matrix.base import Regex
from tasks.yamlfile import YamlDocument, YamlError, describe_error, display_path, read_yaml

CUSTOMER_FILE = "compliance.yaml"


class Kind(str, Enum):
    REQUIRED = "required"
    FORBIDDEN = "forbidden"
    GOLDEN = "golden"


class RuleSeverity(str, Enum):
    FAIL = "fail"
    WARN = "warn"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppliesTo(_Strict):
    """Which hosts a rule is for: every list given must hold the host's value (empty lists do not narrow)."""

    platforms: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    sites: list[str] = Field(default_factory=list)

    def covers(self, role: str, groups: Sequence[str], site: str) -> bool:
        """Whether a host with this role, these groups and this site is in scope.

        >>> AppliesTo(roles=["edge-fw"]).covers("edge-fw", [], "lon1"), AppliesTo(sites=["par1"]).covers("", [], "lon1")
        (True, False)
        """
        return (
            (not self.roles or role in self.roles)
            and (not self.groups or bool(set(groups) & set(self.groups)))
            and (not self.sites or site in self.sites)
        )


class Rule(_Strict):
    """One compliance rule (see the module); `template` is a path relative to the rule file's folder."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    feature: str = Field(min_length=1)
    kind: Kind
    description: str = ""
    match: list[Regex] = Field(default_factory=list)
    template: str | None = None
    section: Regex | None = None
    severity: RuleSeverity = RuleSeverity.FAIL
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    source: str = ""  # where the syntax comes from: a vendor document

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Rule:
        if self.kind is Kind.GOLDEN:
            if not self.template or not self.section:
                raise ValueError("a golden rule needs a template and a section")
            if self.match:
                raise ValueError("a golden rule has no match (its lines are the template's)")
        else:
            if not self.match:
                raise ValueError(f"a {self.kind.value} rule needs match: a list of regular expressions")
            if self.template or self.section:
                raise ValueError(f"a {self.kind.value} rule has no template or section (only golden rules do)")
        return self


class RuleWaiver(_Strict):
    """A customer's accepted exception to one rule, on every device or one, through its `expires` date."""

    rule: str = Field(min_length=1)
    device: str | None = None
    reason: str = Field(min_length=1)
    approved_by: str = Field(min_length=1)
    expires: date

    def covers(self, rule: str, device: str, today: date) -> bool:
        """Whether the waiver applies to `rule` on `device` today (through its expiry date)."""
        return self.rule == rule and self.device in (None, device) and today <= self.expires

    def describe(self) -> str:
        scope = f"device {self.device}" if self.device else "every device"
        return f"waived for {scope}: {self.reason} (approved by {self.approved_by}, expires {self.expires})"


class RuleFile(_Strict):
    platform: str | None = None
    rules: list[Rule] = Field(default_factory=list)
    waivers: list[RuleWaiver] = Field(default_factory=list)


@dataclass(frozen=True)
class LoadedRule:
    """A rule with where it came from: the file (for messages) and the folder its template is found in."""

    rule: Rule
    origin: str  # `compliance/paloalto_panos.yaml` or `inventory/acme/compliance.yaml`
    folder: Path
    customer: str | None = None

    @property
    def id(self) -> str:
        return self.rule.id


def _rule_id(doc: YamlDocument, loc: Sequence[str | int]) -> str | None:
    if len(loc) >= 2 and loc[0] in ("rules", "waivers") and isinstance(loc[1], int):
        items = doc.data.get(loc[0]) if isinstance(doc.data, dict) else None
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            key = "id" if loc[0] == "rules" else "rule"
            value = items[loc[1]].get(key)
            return str(value) if value is not None else None
    return None


def _problem(doc: YamlDocument, loc: Sequence[str | int], text: str) -> RulesError:
    """`file:line: field: rule 'id': problem` (the rule named when the field is inside one)."""
    rule = _rule_id(doc, loc)
    named = f"rule {rule!r}: " if rule else ""
    return RulesError(f"{doc.where(loc)}: {named}{text}")


def rule_file(doc: YamlDocument, platform: str | None) -> RuleFile:
    """`doc` validated as a rule file (a shipped file's `platform`, when given, must be `platform`)."""
    if doc.data is None:
        return RuleFile()
    if not isinstance(doc.data, dict):
        raise RulesError(f"{doc.where(())}: expected a mapping with rules:, the file is a {type(doc.data).__name__}")
    try:
        parsed = RuleFile.model_validate(doc.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [p for p in first["loc"] if isinstance(p, (str, int))]
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise _problem(doc, loc, describe_error(first) + more) from None
    if platform is not None and parsed.platform not in (None, platform):
        raise _problem(doc, ("platform",), f"says {parsed.platform!r}, but the file is for {platform!r}")
    seen: dict[str, int] = {}
    for i, rule in enumerate(parsed.rules):
        if rule.id in seen:
            raise _problem(doc, ("rules", i, "id"), f"written twice (first as rules[{seen[rule.id]}])")
        seen[rule.id] = i
    return parsed


def _read(path: Path) -> YamlDocument:
    try:
        return read_yaml(path)
    except YamlError as exc:
        raise RulesError(str(exc)) from None


def _check_templates(doc: YamlDocument, parsed: RuleFile, folder: Path) -> None:
    for i, rule in enumerate(parsed.rules):
        if rule.template and not (folder / rule.template).is_file():
            where = display_path(folder / rule.template)
            raise _problem(doc, ("rules", i, "template"), f"template not found: {where}")


@dataclass(frozen=True)
class RuleBook:
    """Every rule that applies, by platform and customer, and each customer's rule waivers."""

    shipped: dict[str, list[LoadedRule]]  # platform -> its rules
    customers: dict[str, list[LoadedRule]] = field(default_factory=dict)  # customer -> its own rules
    waivers: dict[str, list[RuleWaiver]] = field(default_factory=dict)

    def rules_for(self, platform: str, customer: str) -> list[LoadedRule]:
        """The platform's rules for `customer`: shipped ones, each replaced by the customer's rule of the same id,
        then the customer's new rules for the platform (host scope is `Rule.applies_to`, checked per host)."""
        own = [r for r in self.customers.get(customer, []) if _for_platform(r, platform, self.shipped)]
        by_id = {r.id: r for r in own}
        shipped = [by_id.pop(r.id, r) for r in self.shipped.get(platform, [])]
        return [*shipped, *by_id.values()]

    def waiver_for(self, customer: str, rule: str, device: str, today: date) -> RuleWaiver | None:
        return next((w for w in self.waivers.get(customer, []) if w.covers(rule, device, today)), None)

    def expired_waiver(self, customer: str, rule: str, device: str, today: date) -> RuleWaiver | None:
        """A waiver of this rule and device that has expired (the report says so), or None."""
        return next(
            (
                w
                for w in self.waivers.get(customer, [])
                if w.rule == rule and w.device in (None, device) and not w.covers(rule, device, today)
            ),
            None,
        )


def _for_platform(rule: LoadedRule, platform: str, shipped: dict[str, list[LoadedRule]]) -> bool:
    platforms = rule.rule.applies_to.platforms
    if platforms:
        return platform in platforms
    return any(r.id == rule.id for r in shipped.get(platform, []))


def load_rules(rules_dir: Path, platforms: Sequence[str], inventory: Path, customers: Sequence[str]) -> RuleBook:
    """The shipped rules of `platforms` (`rules_dir/<platform>.yaml`; none when a platform has no file) and the
    rules and waivers of `customers` (`inventory/<customer>/compliance.yaml`, optional); RulesError on a problem."""
    if not rules_dir.is_dir():
        raise RulesError(f"{display_path(rules_dir)}: no such rules folder")
    shipped: dict[str, list[LoadedRule]] = {}
    for platform in platforms:
        path = rules_dir / f"{platform}.yaml"
        if not path.is_file():
            shipped[platform] = []
            continue
        doc = _read(path)
        parsed = rule_file(doc, platform)
        _check_templates(doc, parsed, rules_dir)
        if parsed.waivers:
            raise _problem(doc, ("waivers",), "waivers belong in a customer's compliance.yaml")
        shipped[platform] = [LoadedRule(rule, doc.name, rules_dir) for rule in parsed.rules]
    known = {r.id for rules in shipped.values() for r in rules}
    own: dict[str, list[LoadedRule]] = {}
    waivers: dict[str, list[RuleWaiver]] = {}
    for customer in customers:
        path = inventory / customer / CUSTOMER_FILE
        if not path.is_file():
            continue
        doc = _read(path)
        parsed = rule_file(doc, None)
        _check_templates(doc, parsed, path.parent)
        for i, rule in enumerate(parsed.rules):
            if not rule.applies_to.platforms and rule.id not in known:
                message = "a new rule needs applies_to.platforms (its lines are in one platform's form)"
                raise _problem(doc, ("rules", i, "applies_to"), message)
        own[customer] = [LoadedRule(rule, doc.name, path.parent, customer) for rule in parsed.rules]
        waivers[customer] = list(parsed.waivers)
    return RuleBook(shipped, own, waivers)

"""Typed models shared by parsers, checks, tasks, workflows and reports (imports nothing of ours)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # plan and snapshot import Verdict from here; from_dict imports them when called
    from tasks.models.backup import DeviceBackup
    from tasks.models.compliance import RuleResult
    from tasks.models.diff import DiffRow
    from tasks.models.plan import UpgradePlan
    from tasks.models.snapshot import Snapshot
    from tasks.models.upgrade import DeviceUpgrade


class Verdict(str, Enum):
    """The outcome of a check, an optic or a device; ordered from best to worst by `rank`."""

    PASS = "PASS"
    SKIPPED = "SKIPPED"
    WARN = "WARN"
    FAIL = "FAIL"
    ERROR = "ERROR"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Verdict.PASS: 0, Verdict.SKIPPED: 0, Verdict.WARN: 1, Verdict.FAIL: 2, Verdict.ERROR: 3}


def worst(verdicts: Iterable[Verdict], default: Verdict = Verdict.PASS) -> Verdict:
    """The worst of `verdicts` (ERROR > FAIL > WARN > PASS/SKIPPED), or `default` when empty.

    >>> worst([Verdict.PASS, Verdict.WARN, Verdict.PASS]).value
    'WARN'
    >>> worst([]).value
    'PASS'
    """
    result: Verdict | None = None
    for verdict in verdicts:
        if result is None or verdict.rank > result.rank:
            result = verdict
    return default if result is None else result


@dataclass(frozen=True)
class Unsupported:
    """Something a platform does not have or do (yet); `reason` is shown to the user as is.

    >>> Unsupported("FortiOS has no job queue").reason
    'FortiOS has no job queue'
    """

    reason: str


class Support(str, Enum):
    """Whether an optic is on the vendor's supported list for the device it sits in."""

    YES = "yes"
    NO = "no"
    WAIVED = "waived"


class Severity(str, Enum):
    """How much a finding matters, independent of its verdict."""

    INFO = "info"
    WARNING = "warning"
    BLOCKER = "blocker"


@dataclass(frozen=True)
class Facts:
    """What a device says about itself."""

    hostname: str
    model: str
    serial: str
    version: str
    uptime: str = ""
    ha_state: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Facts:
        return cls(**data)


@dataclass(frozen=True)
class Transceiver:
    """One pluggable optic (or DAC) as the device reports it; `vendor` and `part` are stripped of padding."""

    port: str
    type: str
    vendor: str
    part: str
    serial: str = ""
    revision: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class OpticVerdict:
    """An optic judged against the matrix, the waivers and (optionally) a target release."""

    transceiver: Transceiver
    oem: bool
    supported: Support
    verdict: Verdict
    reason: str
    check: str = "optic_support"  # the check that decided the verdict: optic_support or known_issue
    issue_ids: tuple[str, ...] = ()  # the known issues that applied for the target

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OpticVerdict:
        """The inverse of `to_dict` (which keeps neither `revision`, `check` nor `issue_ids`)."""
        transceiver = Transceiver(data["port"], data["type"], data["vendor"], data["part"], data.get("serial", ""))
        return cls(transceiver, data["oem"], Support(data["supported"]), Verdict(data["verdict"]), data["reason"])

    def to_dict(self) -> dict[str, Any]:
        """The results.json shape: port, type, vendor, part, serial, oem, supported, verdict, reason."""
        t = self.transceiver
        return {
            "port": t.port,
            "type": t.type,
            "vendor": t.vendor,
            "part": t.part,
            "serial": t.serial,
            "oem": self.oem,
            "supported": self.supported.value,
            "verdict": self.verdict.value,
            "reason": self.reason,
        }


class FailureKind(str, Enum):
    """Why a supplementary command gave nothing to read (see `CommandFailure`)."""

    REFUSED = "refused"  # the OS answered with an error (unknown command, not permitted)
    FAILED = "failed"  # the command timed out or the session was lost while it ran
    NOT_SENT = "not sent"  # an earlier command failed: the session was no longer trusted
    UNREADABLE = "unreadable"  # the output was not what the platform prints (a ParseError)


@dataclass(frozen=True)
class CommandFailure:
    """A supplementary command that gave nothing to read; what it would have told is unknown.

    Supplementary commands add to the facts and optics (an optic's vendor name, readiness state, snapshot
    counters); their failure leaves the device checked with those values unknown, and a WARN finding says so.
    `answer` is one line: the device's error, the session error, or the parse error.

    >>> failure = CommandFailure("pic 0/1", "show chassis pic fpc-slot 0 pic-slot 1", FailureKind.REFUSED, "...")
    >>> failure.kind.value
    'refused'
    """

    purpose: str
    command: str
    kind: FailureKind
    answer: str


@dataclass(frozen=True)
class Finding:
    """One check's outcome on one device."""

    check: str
    severity: Severity
    verdict: Verdict
    message: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(data["check"], Severity(data["severity"]), Verdict(data["verdict"]), data["message"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity.value,
            "verdict": self.verdict.value,
            "message": self.message,
        }


@dataclass
class HostRecord:
    """Everything a run learned about one host; what results.json, the workbook and JUnit are built from.

    `plan` and `snapshot` are set by a pre-upgrade (None elsewhere, or when the host could not be checked); a
    post-upgrade sets `snapshot` (the one taken after) and `diff` (its comparison with the baseline's);
    `upgrade` is set by an upgrade run (its steps; results.json has the key only then).
    """

    name: str
    customer: str
    site: str
    platform: str
    role: str = ""
    status: str = "ok"  # "ok" | "error"
    error_stage: str = ""
    error: str = ""
    facts: Facts | None = None
    optics: list[OpticVerdict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    plan: UpgradePlan | None = None
    snapshot: Snapshot | None = None
    diff: list[DiffRow] = field(default_factory=list)
    upgrade: DeviceUpgrade | None = None
    backup: DeviceBackup | None = None  # set by a backup run (results.json has the key only then)
    compliance: list[RuleResult] | None = None  # a compliance run's rule results (results.json has the key only then)

    @property
    def verdict(self) -> Verdict:
        """ERROR when the host could not be checked, else its worst finding."""
        if self.status == "error":
            return Verdict.ERROR
        return worst(f.verdict for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The host's results.json entry: `snapshot` is `{}` and `plan` is null when the run made none."""
        data: dict[str, Any] = {
            "customer": self.customer,
            "site": self.site,
            "platform": self.platform,
            "status": self.status,
            "error": f"{self.error_stage}: {self.error}" if self.status == "error" else None,
            "verdict": self.verdict.value,
            "facts": self.facts.to_dict() if self.facts else {},
            "transceivers": [o.to_dict() for o in self.optics],
            "findings": [f.to_dict() for f in self.findings],
            "snapshot": self.snapshot.to_dict() if self.snapshot else {},
            "plan": self.plan.to_dict() if self.plan else None,
            "diff": [row.to_dict() for row in self.diff],
        }
        if self.upgrade is not None:
            data["upgrade"] = self.upgrade.to_dict()
        if self.backup is not None:
            data["backup"] = self.backup.to_dict()
        if self.compliance is not None:
            data["compliance"] = [r.to_dict() for r in self.compliance]
        return data

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> HostRecord:
        """The inverse of `to_dict`: a host read back from a results.json (e.g. to merge shards)."""
        from tasks.models.backup import DeviceBackup
        from tasks.models.compliance import RuleResult
        from tasks.models.diff import DiffRow
        from tasks.models.plan import UpgradePlan
        from tasks.models.snapshot import Snapshot
        from tasks.models.upgrade import DeviceUpgrade

        stage, _, error = (data.get("error") or "").partition(": ")
        return cls(
            name=name,
            customer=data["customer"],
            site=data["site"],
            platform=data["platform"],
            status=data["status"],
            error_stage=stage if data["status"] == "error" else "",
            error=error if data["status"] == "error" else "",
            facts=Facts.from_dict(data["facts"]) if data.get("facts") else None,
            optics=[OpticVerdict.from_dict(t) for t in data.get("transceivers", [])],
            findings=[Finding.from_dict(f) for f in data.get("findings", [])],
            plan=UpgradePlan.from_dict(data["plan"]) if data.get("plan") else None,
            snapshot=Snapshot.from_dict(data["snapshot"]) if data.get("snapshot") else None,
            diff=[DiffRow.from_dict(row) for row in data.get("diff") or []],
            upgrade=DeviceUpgrade.from_dict(data["upgrade"]) if data.get("upgrade") else None,
            backup=DeviceBackup.from_dict(data["backup"]) if data.get("backup") else None,
            compliance=[RuleResult.from_dict(r) for r in data["compliance"]] if "compliance" in data else None,
        )


@dataclass
class RunInfo:
    """The header of a run: what was asked and when."""

    id: str
    command: str
    customers: list[str]
    target: str | None
    started: str
    finished: str = ""
    shard: str | None = None
    estate_version: str = ""

    def target_for(self, platform: str) -> str | None:
        """The release devices of `platform` were judged against.

        `target` is a bare version when the run covered one platform, else `platform=version` pairs.

        >>> run = RunInfo("r", "audit", [], "paloalto_panos=10.2.4-h4,fortinet=7.4.8", "")
        >>> run.target_for("fortinet"), run.target_for("cisco_ios")
        ('7.4.8', None)
        """
        if not self.target:
            return None
        if "=" not in self.target:
            return self.target
        pairs = dict(pair.split("=", 1) for pair in self.target.split(","))
        return pairs.get(platform)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunResult:
    """A whole run: its header and one record per host, in a stable order."""

    run: RunInfo
    hosts: list[HostRecord]

    def counts(self) -> dict[str, int]:
        """Devices per verdict, every verdict present (zero when none).

        >>> RunResult(RunInfo("r", "audit", [], None, ""), []).counts()["FAIL"]
        0
        """
        counts = {v.value: 0 for v in Verdict}
        for host in self.hosts:
            counts[host.verdict.value] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.run.to_dict(), "hosts": {h.name: h.to_dict() for h in self.hosts}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        """A run read back from its results.json; KeyError or ValueError when it is not that shape."""
        run = RunInfo(**data["run"])
        return cls(run=run, hosts=[HostRecord.from_dict(name, host) for name, host in data["hosts"].items()])

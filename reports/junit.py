"""junit.xml for GitLab: one testsuite per device, one testcase per finding, written atomically."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from reports.runfolder import atomic_write_bytes
from reports.sheets import host_order
from reports.text import clean_text, first_line
from tasks.models import Finding, HostRecord, RunResult, Verdict

NO_FINDINGS_CASE = "collected"  # the one passing testcase of a host that produced no finding
_COUNTED = ("tests", "failures", "errors", "skipped")


def write_junit(result: RunResult, path: Path) -> None:
    """Write the JUnit XML of `result` to `path`."""
    root = junit_tree(result)
    ET.indent(root)
    atomic_write_bytes(path, ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")


def junit_tree(result: RunResult) -> ET.Element:
    """`<testsuites>` with one `<testsuite>` per host (by customer, site, name) and the totals on the root."""
    root = ET.Element("testsuites", name=clean_text(f"estate {result.run.command}"))
    totals: Counter[str] = Counter()
    for host in host_order(result.hosts):
        suite = _suite(host)
        root.append(suite)
        totals.update({key: int(suite.get(key, "0")) for key in _COUNTED})
    _set_counts(root, totals)
    return root


def _suite(host: HostRecord) -> ET.Element:
    suite = ET.Element("testsuite", name=clean_text(host.name))
    props = ET.SubElement(suite, "properties")
    for key in ("customer", "site", "platform"):
        ET.SubElement(props, "property", name=key, value=clean_text(getattr(host, key)))
    classname = clean_text(f"{host.customer}.{host.site}.{host.name}")
    cases = list(_cases(host, classname))
    suite.extend(cases)
    _set_counts(suite, _count(cases))
    return suite


def _cases(host: HostRecord, classname: str) -> Iterable[ET.Element]:
    if host.status == "error":
        case = ET.Element("testcase", classname=classname, name=host.error_stage or "device")
        _child(case, "error", host.error or "could not be checked", kind=host.error_stage)
        yield case
    for finding in host.findings:
        yield _finding_case(finding, classname)
    if host.status != "error" and not host.findings:
        yield ET.Element("testcase", classname=classname, name=NO_FINDINGS_CASE)


def _finding_case(finding: Finding, classname: str) -> ET.Element:
    case = ET.Element("testcase", classname=classname, name=clean_text(finding.check))
    if finding.verdict is Verdict.FAIL:
        _child(case, "failure", finding.message, kind=finding.severity.value)
    elif finding.verdict is Verdict.ERROR:
        _child(case, "error", finding.message, kind=finding.severity.value)
    elif finding.verdict is Verdict.SKIPPED:
        ET.SubElement(case, "skipped", message=first_line(finding.message))
    elif finding.verdict is Verdict.WARN:
        ET.SubElement(case, "system-out").text = clean_text(f"WARN ({finding.severity.value}): {finding.message}")
    return case


def _child(case: ET.Element, tag: str, message: str, kind: str) -> None:
    """A `<failure>` or `<error>`: a short one-line message attribute, the whole text as the body."""
    child = ET.SubElement(case, tag, message=first_line(message), type=clean_text(kind))
    child.text = clean_text(message)


def _count(cases: list[ET.Element]) -> Counter[str]:
    counts: Counter[str] = Counter(tests=len(cases))
    for case in cases:
        for tag, key in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            if case.find(tag) is not None:
                counts[key] += 1
    return counts


def _set_counts(element: ET.Element, counts: Counter[str]) -> None:
    for key in _COUNTED:
        element.set(key, str(counts[key]))

"""Golden templates rendered per host with nornir-jinja2, from the host's data and its groups' (a Nornir task)."""

from __future__ import annotations

import jinja2
from nornir.core.task import Task
from nornir_jinja2.plugins.tasks import template_file

from tasks.compliance.rules import LoadedRule


def render_golden(task: Task, loaded: LoadedRule) -> str | jinja2.TemplateError:
    """The rendered template of a golden rule (`host` is the Nornir host: `host.ntp_servers` reads the host's
    data, falling back to its groups' and the defaults), or the Jinja error saying why it could not be rendered
    (a variable the inventory does not give this host: StrictUndefined)."""
    template = loaded.rule.template or ""
    try:
        result = template_file(task, template=template, path=str(loaded.folder))
    except jinja2.TemplateError as exc:
        return exc
    return str(result.result)

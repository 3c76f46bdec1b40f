"""A customer's backup repository: files written atomically, staged, committed and pushed with the git CLI.

git is run as a subprocess (`git -C REPO ...`), never through a hand-written object store; see docs/backup.md
for why the CLI and not a library. Each commit carries its own identity (`estate <estate@localhost>`), so a
machine without git configuration commits too; no hook, signing key or pager of the user's configuration runs.

>>> relative_file("lon1", "sw1")
'lon1/sw1.cfg'
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tasks.errors import RepositoryError
from tasks.platforms.text import mask_url_credentials

AUTHOR_NAME = "estate"
AUTHOR_EMAIL = "estate@localhost"
BRANCH = "main"
LOCAL_TIMEOUT_S = 60.0  # init, add, diff, commit on the local disk
PUSH_TIMEOUT_S = 300.0  # a push over the network
_SETTINGS = ("-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", "-c", "core.pager=cat")


def git_available() -> str | None:
    """The path of the git executable, or None when it is not installed."""
    return shutil.which("git")


def relative_file(site: str, device: str) -> str:
    """Where a device's configuration lives in its customer's repository: `<site>/<device>.cfg`.

    ValueError when a name could leave its folder (`/`, `\\\\`, a leading `.`) or is empty.
    """
    for name in (site, device):
        if not name or name.startswith(".") or "/" in name or "\\" in name or "\0" in name:
            raise ValueError(f"{name!r} cannot name a file in a backup repository")
    return f"{site}/{device}.cfg"


def git(repo: Path, *args: str, timeout: float = LOCAL_TIMEOUT_S) -> str:
    """git's standard output of `git -C repo args...`; RepositoryError with git's first error line otherwise."""
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",  # a push never waits for a password on a terminal nobody watches
        "GIT_AUTHOR_NAME": AUTHOR_NAME,
        "GIT_AUTHOR_EMAIL": AUTHOR_EMAIL,
        "GIT_COMMITTER_NAME": AUTHOR_NAME,
        "GIT_COMMITTER_EMAIL": AUTHOR_EMAIL,
        "LC_ALL": "C",
    }
    command = ["git", "-C", str(repo), *_SETTINGS, *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise RepositoryError(f"git {args[0]} in {repo}: no answer within {timeout:g} s") from None
    except OSError as exc:
        raise RepositoryError(f"git {args[0]} in {repo}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        reason = mask_url_credentials(lines[0].strip() if lines else f"exit code {done.returncode}")
        raise RepositoryError(f"git {args[0]} in {repo}: {reason}")
    return done.stdout


@dataclass(frozen=True)
class Change:
    """What the staged index changes in one file against the last commit."""

    added: int
    removed: int


@dataclass(frozen=True)
class Repository:
    """One customer's backup repository (a git work tree at `path`)."""

    path: Path

    def ensure(self) -> None:
        """Make the folder and `git init` it when it is not a repository yet (branch `main`)."""
        self.path.mkdir(parents=True, exist_ok=True)
        if not (self.path / ".git").exists():
            git(self.path, "init", "-q", "-b", BRANCH)

    def write(self, relative: str, text: str) -> None:
        """Write `text` (sanitised) to `relative` atomically (a temporary file renamed over it), ending in one
        newline; a file already holding exactly that is left alone."""
        target = self.path / relative
        content = text.rstrip("\n") + "\n"
        if target.is_file() and target.read_text(encoding="utf-8") == content:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(content)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def stage(self, files: list[str]) -> dict[str, Change]:
        """`git add` the files; {file: Change} of those that differ from the last commit (new ones included)."""
        if not files:
            return {}
        git(self.path, "add", "--", *files)
        changes: dict[str, Change] = {}
        for line in git(self.path, "diff", "--cached", "--numstat", "--no-renames", "--", *files).splitlines():
            added, removed, name = line.split("\t", 2)
            changes[name] = Change(int(added) if added.isdigit() else 0, int(removed) if removed.isdigit() else 0)
        return changes

    def commit(self, message: str) -> str:
        """Commit what is staged with `message`; the new commit's full hash."""
        git(self.path, "commit", "-q", "--no-verify", "-m", message)
        return git(self.path, "rev-parse", "HEAD").strip()

    def has_commits(self) -> bool:
        """Whether the repository has a commit yet."""
        try:
            git(self.path, "rev-parse", "--verify", "-q", "HEAD^{commit}")
        except RepositoryError:
            return False
        return True

    def push(self, remote: str, branch: str) -> None:
        """Push the current branch to `branch` of `remote` (a URL or path); RepositoryError when refused."""
        if not self.has_commits():
            return
        git(self.path, "push", "-q", remote, f"HEAD:refs/heads/{branch}", timeout=PUSH_TIMEOUT_S)

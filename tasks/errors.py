"""The project's exception tree; lower libraries' errors are translated once, where they arise.

EstateError                     root of everything estate raises on purpose
├── InputError                  bad user input: the message names the file and the field (exit 3)
│   ├── InventoryError          an inventory file, host or credential is wrong
│   ├── MatrixError             a matrix, local lessons or waiver file is wrong
│   ├── RulesError              a compliance rule file (or its template, or a customer's standards) is wrong
│   └── UsageError              a CLI flag or config value is wrong
├── RepositoryError             git refused to init, commit or push a backup repository (its devices: ERROR rows)
└── DeviceError                 one device could not be checked (an ERROR row, never a crash)
    ├── ConnectError            refused, unreachable, timed out while connecting (`transient`: worth a retry)
    ├── AuthError               the device rejected the login
    ├── CommandError            a command timed out, the session dropped, or the OS rejected it
    │   └── CommandRefused      the OS answered the command with an error (unknown, not permitted)
    ├── HostKeyError            the device's SSH host key is not the one recorded (or unknown, in strict mode)
    ├── ParseError              the output was not what the platform prints
    ├── StepFailed              an upgrade step did not end as it must (a job failed, a bound ran out)
    └── HostTimeout             the device's whole task outlasted `host_timeout_s`
"""

from __future__ import annotations


class EstateError(Exception):
    """Root of estate's own exceptions."""


class InputError(EstateError):
    """Bad input; the message is one line naming the file and the field."""


class InventoryError(InputError):
    """An inventory file, host or credential is wrong."""


class MatrixError(InputError):
    """A matrix, local lessons-learned or waiver file is wrong."""


class RulesError(InputError):
    """A compliance rule file, a golden template it names, or a customer's standards file is wrong."""


class UsageError(InputError):
    """A CLI flag or configuration value is wrong."""


class RepositoryError(EstateError):
    """git refused to init, commit or push a backup repository; the message is git's first line, no credential."""


class DeviceError(EstateError):
    """One device could not be checked; `stage` says where (connect, login, command, parse)."""

    stage = "device"


class ConnectError(DeviceError):
    """Could not connect or log in; `transient` when another attempt may succeed (refused, reset, no SSH banner,
    the device at its session limit): `tasks.retry` retries only those."""

    stage = "connect"

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class AuthError(DeviceError):
    stage = "login"


class CommandError(DeviceError):
    stage = "command"


class CommandRefused(CommandError):
    """The OS answered `command` with an error line (`answer`) instead of output."""

    def __init__(self, command: str, answer: str, output: str = "") -> None:
        super().__init__(f"{command!r}: refused by the device: {answer}")
        self.command = command
        self.answer = answer
        self.output = output or answer  # the whole answer (the lines before the refusal may say why)


class HostKeyError(DeviceError):
    """The device's SSH host key changed (or is unknown with `host_keys: strict`); nothing was sent to it."""

    stage = "hostkey"


class ParseError(DeviceError):
    stage = "parse"


class StepFailed(DeviceError):
    """An upgrade step did not end as it must; the device is left where it is, with the step and this reason."""

    stage = "upgrade"


class HostTimeout(DeviceError):
    """The device's whole task (logins, retries, session preparation, commands) outlasted `host_timeout_s`."""

    stage = "timeout"

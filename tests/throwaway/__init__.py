"""TinyOS: a throwaway platform defined entirely inside tests/, to prove docs/adding-a-platform.md.

- `platform.py`: its estate platform (commands, parsers, version scheme), registered by the test with
  `tasks.platforms.register(PLATFORM)`;
- `personality.py`: its lab personality, registered with the lab when the serving process imports it
  (`lab.control.start(..., plugins=("tests.throwaway.personality",))`);
- `matrices/tiny_os.yaml`: its support matrix, found through `ESTATE_MATRICES` (and the lab's `--matrices`).

TinyOS is made up for these tests: its outputs and its matrix are facts about nothing real. Sessions are opened
with netmiko's `linux` driver (a `#` prompt, no paging) (`Platform.netmiko_device_type`).
"""

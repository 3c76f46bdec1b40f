"""Lab personalities defined by tests (plug-ins: ``python -m lab serve --plugin tests.lab_plugins.<module>``)."""

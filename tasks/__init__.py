"""estate's device-facing layer: models, platform parsers, matrices, checks and Nornir tasks."""

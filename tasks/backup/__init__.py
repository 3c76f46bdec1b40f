"""Configuration backups: the per-customer git repository (`repo`), written only with sanitised text."""

"""Presentation: the run folder and the Excel, JSON and JUnit files in it (imports only tasks.models)."""

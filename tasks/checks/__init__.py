"""Pure checks: typed models and matrices in, verdicts and findings out (no I/O)."""

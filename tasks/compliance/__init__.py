"""Configuration compliance: rules as data (`rules`), their pure evaluation (`evaluate`), customer standards.

- `rules`: `compliance/<platform>.yaml` and `inventory/<customer>/compliance.yaml` loaded into checked `Rule`s,
  with per-customer rule waivers; every problem is one `RulesError` line naming the file, the line and the rule.
- `evaluate`: a rule over a configuration's lines (the platform's line form, `Platform.compliance`) as a
  `RuleResult` (verdict, missing and extra lines).
- `standards`: the customer's approved releases (`inventory/<customer>/standards.yaml`) and the software check.
"""

"""A new customer's devices into the estate: reading the spreadsheet they send (`source`)."""

"""A new customer's devices into the estate: reading the spreadsheet they send (`source`) and detecting the platform
of the devices it does not name (`detect`)."""

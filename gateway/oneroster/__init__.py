"""OneRoster 1.2 Rostering REST reads (issue "Partner roster sync", part 3)."""

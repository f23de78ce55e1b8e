"""OneRoster 1.2 CSV import: a zip is checked (archive.py), staged with COPY
into temporary tables and merged by the database in one transaction under the
caller's role and claims (db/roster/import.sql); run.py
records the run, the CLI and HTTP routes (routes.py) start it."""

"""OneRoster 1.2 CSV import: a zip is checked (archive.py), staged with COPY
into temporary tables and merged by the database in one transaction under the
caller's role and claims (stage.py, db/roster/0012_import_up.sql); run.py
records the run, the CLI and HTTP routes (routes.py) start it."""

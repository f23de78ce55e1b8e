"""The database: table definitions, migrations, SQL by concern, demo data."""

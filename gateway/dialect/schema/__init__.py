"""What the exposed schema holds, as plain data built from catalog rows (read by http/schema_loader.py)."""

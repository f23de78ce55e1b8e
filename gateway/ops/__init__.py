"""Operator commands on top of the layers: backups, point-in-time restore,
per-school export. They do I/O (subprocesses, files, admin connections) and
are never imported by the request path."""

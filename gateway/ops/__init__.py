"""Operator commands on top of the layers: backups, point-in-time restore,
per-school export, read replicas, reporting logins and their TLS listener. They
do I/O (subprocesses, files, admin connections) and are never imported by the
request path."""

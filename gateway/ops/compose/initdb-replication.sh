#!/bin/sh
# docker-compose.yml, first start of the db service: let the backup service's
# pg_basebackup (a replication connection, over the compose network) in, with
# the same password authentication as every other connection.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"

"""Roster sync: partner systems' OAuth clients and the record of each import.

Keys, the scopes CHECK, row-level security, audit and the functions that write
these tables are in db/roster/ (m0011); the secret is an argon2id hash that no
API role can read.
"""

from piccolo.columns import JSONB, Array, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from db.tables import choices
from db.tables._columns import created_at, school_ref, text, updated_at, uuid_pk
from db.tables.core import School


class PartnerClient(Table, tablename="partner_clients", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    name = text()
    # OAuth 2.0 client_id, unique across the service (the token endpoint knows no school yet).
    client_id = text(64)
    secret_hash = text()
    # OneRoster 1.2 scopes and our import scope (CHECK in db/roster).
    scopes = Array(base_column=Text(), default=list)
    created_at = created_at()
    updated_at = updated_at()
    # Set once: the client's tokens stop working at once (auth.partner_client_active()).
    revoked_at = Timestamptz(null=True, default=None)
    # Tokens issued before it stop working (auth.partner_client_active(); m0051).
    secret_rotated_at = Timestamptz(null=True, default=None)


class SyncRun(Table, tablename="sync_runs", schema="data"):
    id = uuid_pk()
    school_id = school_ref(School)
    actor_role = Varchar(length=63, default=None)
    actor_sub = Varchar(length=255, null=True, default=None)
    source = Varchar(length=10, default=None, choices=choices.SyncRunSource)
    file_sha256 = Varchar(length=64, null=True, default=None)
    dry_run = Boolean(default=False)
    status = Varchar(length=20, default="RUNNING", choices=choices.SyncRunStatus)
    counts = JSONB(null=True, default=None)
    report = JSONB(null=True, default=None)
    duration_ms = Integer(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()

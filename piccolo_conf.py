"""Piccolo's configuration: used by `school-gateway migrate` and the `piccolo` CLI.

Migrations connect with the admin URL (DATABASE_URL, or the embedded server)
but act as `school_owner`, a non-superuser role created by `db/bootstrap.sql`,
so every object belongs to it and nothing to the superuser.
"""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

from db.database import OWNER_ROLE, admin_url

DB = PostgresEngine(config={"dsn": admin_url(), "server_settings": {"role": OWNER_ROLE}})

APP_REGISTRY = AppRegistry(apps=["db.piccolo_app"])

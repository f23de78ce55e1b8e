"""Piccolo app `db`: the table classes and the one migration history."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from db.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="db",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=ALL_TABLES,
    migration_dependencies=[],
    commands=[],
)

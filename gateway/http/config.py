"""Settings from the environment, read once at start-up.

DATABASE_URL / AUTHENTICATOR_URL / AUTHENTICATOR_PASSWORD   where (db/database.py)
DB_POOL_MIN, DB_POOL_MAX          pool size per worker (2, 16)
DB_SCHEMA                         the exposed schema (api); Accept-Profile/Content-Profile may name it (profiles.py)
DB_STATEMENT_CACHE_SIZE           prepared statements kept per connection (512; 0 behind PgBouncer < 1.21)
DB_ACQUIRE_TIMEOUT                seconds to wait for a pooled connection (5)
DB_CONNECT_TIMEOUT                seconds a new database connection may take (3): bounds a request when the server hangs
SERVER_TIMING                     add a Server-Timing header: jwt, parse, plan, transaction, response (false)
MAX_ROWS                          most rows one GET returns (1000), whatever `limit` asks
STATEMENT_TIMEOUT                 per statement, any role without its own (10s)
STATEMENT_TIMEOUTS                per role: "anon=2s,partner_sync=60s" (these are the defaults)
CORS_ORIGINS                      comma-separated allowed origins, "*" for any; unset: no CORS
PLAN_CACHE_SIZE                   request shapes whose SQL is kept (1024)
DB_CHANNEL_ENABLED                LISTEN for `NOTIFY pgrst, 'reload schema'` (true)
DB_CHANNEL_URL                    where to LISTEN: PostgreSQL itself, not a transaction pooler (AUTHENTICATOR_URL)
READ_REPLICA_URLS                 comma-separated replica logins (authenticator) for reads; unset: none (http/replicas.py)
REPLICA_MAX_LAG                   seconds of replay lag past which a replica gets no reads (5)
REPLICA_CHECK_INTERVAL            seconds between lag checks (1)
REPLICA_READ_YOUR_WRITES          seconds a caller's reads stay on the primary after a write (5)
JWT_CACHE_SECONDS                 how long a verified token is remembered, at most (60; 0: off)
AGGREGATES_ROLES                  roles that may use count()/sum()/avg()/min()/max() in select
                                  ("school_admin,teacher"; "" for none: PostgREST's db-aggregates-enabled=false)
JWT_*                             token verification (gateway/auth.py AuthConfig)
SCHOOL_CONCURRENCY, SCHOOL_QUEUE_WAIT  units of request cost in flight per school and worker (DB_POOL_MAX // 4), wait (0.5 s)
WORKER_CONCURRENCY                units in flight per worker, every school together, granted fairly (DB_POOL_MAX)
RATE_LIMIT, RATE_LIMITS, PARTNER_RATE_LIMIT  requests/s per school and role (100; per role "anon=20"), per partner client (20)
LOGIN_RATE_LIMIT, OAUTH_RATE_LIMIT  /auth/login + /auth/refresh, /oauth/token: requests/s per client IP (10, 5)
IMPORT_RATE_LIMIT, IMPORT_CONCURRENCY  import uploads/s per school (0.5), imports running at once per worker (DB_POOL_MAX // 4)
MAX_EMBED_DEPTH, MAX_SELECT_ITEMS, MAX_FILTERS  query cost limits (4, 100, 50; dialect/plan/limits.py)
MAX_RESPONSE_BYTES                largest body one read answers (16 MiB)
LOCK_TIMEOUT, LOCK_TIMEOUTS       longest wait on a lock by a gateway statement (2s), per role ("role=500ms,...")
WORK_MEM, WORK_MEMS               memory per sort/hash node (4MB), per role ("school_admin=16MB")
TEMP_FILE_LIMIT, TEMP_FILE_LIMITS disk a statement may spill to (256MB), per role ("anon=16MB,partner_sync=1GB")
PUBLIC_URL                        the gateway's public base URL, for links (unset: links are paths, never the Host header)
SCHEMA_RELOAD_INTERVAL            seconds between two schema cache reloads, whoever notifies (5)
ONEROSTER_COUNT_CACHE_SECONDS     how long a OneRoster X-Total-Count is reused for the same query (10; 0: count every page)
DB_SET_SEARCH_PATH                put the exposed schema, then DB_EXTRA_SEARCH_PATH ("public"), on a data
                                  request's search_path, as PostgREST (false: the login's own search_path)
APP_SETTINGS_<NAME>               `app.settings.<name>` (name lowercased) set in every data request's
                                  transaction, PostgREST's app.settings.*; none by default
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import msgspec

from db.database import admin_url, with_user
from gateway.dialect.plan.limits import QueryLimits
from gateway.http.limits import FairShareConfig
from gateway.identity.auth import AuthConfig
from gateway.identity.setup import RoleLimits

# Short for anonymous callers (they hold no data, so a long query is abuse);
# long for partner roster syncs, which read and write in bulk.
DEFAULT_TIMEOUTS = {"anon": "2s", "partner_sync": "60s"}
# Admins run the school-wide aggregates; anonymous callers read nothing big;
# partner syncs page through whole rosters.
DEFAULT_WORK_MEMS = {"school_admin": "16MB"}
DEFAULT_TEMP_FILE_LIMITS = {"anon": "16MB", "partner_sync": "1GB"}
_INTERVAL = re.compile(r"\d+(ms|s|min)?")
_SIZE = re.compile(r"\d+(kB|MB|GB|TB)?")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    # The gateway's own login: `authenticator`, never the owner or a superuser.
    database_url: str
    pool_min_size: int = 2
    pool_max_size: int = 16
    db_schema: str = "api"
    statement_cache_size: int = 512
    acquire_timeout: float = 5.0
    connect_timeout: float = 3.0
    server_timing: bool = False
    max_rows: int = 1000
    statement_timeout: str = "10s"
    statement_timeouts: dict[str, str] = msgspec.field(default_factory=lambda: dict(DEFAULT_TIMEOUTS))
    cors_origins: tuple[str, ...] = ()
    plan_cache_size: int = 1024
    jwt_cache_seconds: float = 60.0
    db_channel_enabled: bool = True
    # LISTEN needs a session on PostgreSQL itself: behind PgBouncer in transaction
    # mode the LISTEN would hold a server connection only for its own statement.
    db_channel_url: str | None = None  # None: database_url
    aggregates_roles: tuple[str, ...] = ("school_admin", "teacher")
    read_replica_urls: tuple[str, ...] = ()
    replica_max_lag: float = 5.0
    replica_check_interval: float = 1.0
    # At least the lag bound: a replica within it has replayed the write by then.
    replica_read_your_writes: float = 5.0
    auth: AuthConfig = AuthConfig()
    fair_share: FairShareConfig = FairShareConfig()
    # How long a OneRoster X-Total-Count is reused (gateway/oneroster/counts.py); 0: never.
    oneroster_count_seconds: float = 10.0
    query_limits: QueryLimits = QueryLimits()
    max_response_bytes: int = 16 * 1024 * 1024
    lock_timeout: str = "2s"
    lock_timeouts: dict[str, str] = msgspec.field(default_factory=dict)
    work_mem: str = "4MB"
    work_mems: dict[str, str] = msgspec.field(default_factory=lambda: dict(DEFAULT_WORK_MEMS))
    temp_file_limit: str = "256MB"
    temp_file_limits: dict[str, str] = msgspec.field(default_factory=lambda: dict(DEFAULT_TEMP_FILE_LIMITS))
    public_url: str = ""
    schema_reload_interval: float = 5.0
    # PostgREST's `app.settings.*`: (name, value) pairs, names without the prefix.
    app_settings: tuple[tuple[str, str], ...] = ()
    db_extra_search_path: tuple[str, ...] = ("public",)
    # Off by default: with the exposed schema first, functions of ours that name
    # a table unqualified would find the api view of the same name (slower, RLS
    # twice); PostgREST's fixtures need it on (tests/conformance/conftest.py).
    db_set_search_path: bool = False

    def __post_init__(self) -> None:
        timeouts = (self.statement_timeout, *self.statement_timeouts.values(), self.lock_timeout, *self.lock_timeouts.values())
        for value in timeouts:
            if not _INTERVAL.fullmatch(value):
                raise ValueError(f"not a statement timeout: {value!r} (e.g. 500ms, 10s, 2min)")
        for value in (self.work_mem, *self.work_mems.values(), self.temp_file_limit, *self.temp_file_limits.values()):
            if not _SIZE.fullmatch(value) and value != "-1":
                raise ValueError(f"not a memory or disk size: {value!r} (e.g. 4MB, 512kB, 1GB)")
        if self.max_rows < 1:
            raise ValueError("MAX_ROWS must be at least 1")

    @property
    def exposed_schemas(self) -> tuple[str, ...]:
        """What Accept-Profile/Content-Profile may name (PostgREST's db-schemas):
        the one schema the schema cache is read from."""
        return (self.db_schema,)

    @property
    def search_path(self) -> str | None:
        """The exposed schema, then DB_EXTRA_SEARCH_PATH, quoted (PostgREST's setPgLocals);
        None unless DB_SET_SEARCH_PATH."""
        if not self.db_set_search_path:
            return None
        names = (self.db_schema, *self.db_extra_search_path)
        return ", ".join('"' + name.replace('"', '""') + '"' for name in names)

    def timeout_for(self, role: str) -> str:
        return self.statement_timeouts.get(role, self.statement_timeout)

    def limits_for(self, role: str) -> RoleLimits:
        """The guards of `role`'s transactions (identity/setup.py SETUP)."""
        return RoleLimits(
            statement_timeout=self.timeout_for(role),
            lock_timeout=self.lock_timeouts.get(role, self.lock_timeout),
            work_mem=self.work_mems.get(role, self.work_mem),
            temp_file_limit=self.temp_file_limits.get(role, self.temp_file_limit),
        )


def authenticator_url() -> str:
    """AUTHENTICATOR_URL, or the admin URL's server and database with the
    `authenticator` login (password from AUTHENTICATOR_PASSWORD)."""
    explicit = os.environ.get("AUTHENTICATOR_URL")
    if explicit:
        return explicit
    return with_user(admin_url(), "authenticator", os.environ.get("AUTHENTICATOR_PASSWORD"))


def _pairs(text: str) -> dict[str, str]:
    pairs = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        role, _, value = item.partition("=")
        pairs[role.strip()] = value.strip()
    return pairs


def _app_settings(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """APP_SETTINGS_APP_HOST=x -> ("app_host", "x"): app.settings.app_host, as PostgREST's PGRST_APP_SETTINGS_*."""
    prefix = "APP_SETTINGS_"
    return tuple(sorted((k[len(prefix) :].lower(), v) for k, v in env.items() if k.startswith(prefix) and k != prefix))


def _limits(env: Mapping[str, str]) -> dict[str, object]:
    pool_max = int(env.get("DB_POOL_MAX", "16"))
    return {
        "fair_share": FairShareConfig(
            school_concurrency=int(env.get("SCHOOL_CONCURRENCY") or max(1, pool_max // 4)),
            worker_concurrency=int(env.get("WORKER_CONCURRENCY") or pool_max),
            host_lock_dir=env.get("SCHOOL_GATEWAY_LOCK_DIR", ""),  # set by `serve` for its workers
            queue_wait=float(env.get("SCHOOL_QUEUE_WAIT", "0.5")),
            rate=float(env.get("RATE_LIMIT", "100")),
            rates={role: float(value) for role, value in _pairs(env.get("RATE_LIMITS", "")).items()},
            partner_rate=float(env.get("PARTNER_RATE_LIMIT", "20")),
            login_rate=float(env.get("LOGIN_RATE_LIMIT", "10")),
            token_rate=float(env.get("OAUTH_RATE_LIMIT", "5")),
            import_rate=float(env.get("IMPORT_RATE_LIMIT", "0.5")),
            import_concurrency=int(env.get("IMPORT_CONCURRENCY") or max(1, pool_max // 4)),
        ),
        "query_limits": QueryLimits(
            max_embed_depth=int(env.get("MAX_EMBED_DEPTH", "4")),
            max_select_items=int(env.get("MAX_SELECT_ITEMS", "100")),
            max_filters=int(env.get("MAX_FILTERS", "50")),
        ),
        "max_response_bytes": int(env.get("MAX_RESPONSE_BYTES", str(16 * 1024 * 1024))),
        "lock_timeout": env.get("LOCK_TIMEOUT", "2s"),
        "lock_timeouts": _pairs(env.get("LOCK_TIMEOUTS", "")),
        "work_mem": env.get("WORK_MEM", "4MB"),
        "work_mems": DEFAULT_WORK_MEMS | _pairs(env.get("WORK_MEMS", "")),
        "temp_file_limit": env.get("TEMP_FILE_LIMIT", "256MB"),
        "temp_file_limits": DEFAULT_TEMP_FILE_LIMITS | _pairs(env.get("TEMP_FILE_LIMITS", "")),
        "public_url": env.get("PUBLIC_URL", "").rstrip("/"),
        "schema_reload_interval": float(env.get("SCHEMA_RELOAD_INTERVAL", "5")),
        "oneroster_count_seconds": float(env.get("ONEROSTER_COUNT_CACHE_SECONDS", "10")),
        "db_set_search_path": env.get("DB_SET_SEARCH_PATH", "false").lower() in ("true", "1", "yes", "on"),
        "db_extra_search_path": tuple(
            n.strip() for n in env.get("DB_EXTRA_SEARCH_PATH", "public").split(",") if n.strip()
        ),
        "app_settings": _app_settings(env),
    }


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(
        **_limits(env),  # type: ignore[arg-type]
        database_url=authenticator_url(),
        pool_min_size=int(env.get("DB_POOL_MIN", "2")),
        pool_max_size=int(env.get("DB_POOL_MAX", "16")),
        db_schema=env.get("DB_SCHEMA", "api"),
        statement_cache_size=int(env.get("DB_STATEMENT_CACHE_SIZE", "512")),
        acquire_timeout=float(env.get("DB_ACQUIRE_TIMEOUT", "5")),
        connect_timeout=float(env.get("DB_CONNECT_TIMEOUT", "3")),
        server_timing=env.get("SERVER_TIMING", "false").lower() in ("true", "1", "yes", "on"),
        max_rows=int(env.get("MAX_ROWS", "1000")),
        statement_timeout=env.get("STATEMENT_TIMEOUT", "10s"),
        statement_timeouts=DEFAULT_TIMEOUTS | _pairs(env.get("STATEMENT_TIMEOUTS", "")),
        cors_origins=tuple(o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip()),
        plan_cache_size=int(env.get("PLAN_CACHE_SIZE", "1024")),
        jwt_cache_seconds=float(env.get("JWT_CACHE_SECONDS", "60")),
        db_channel_enabled=env.get("DB_CHANNEL_ENABLED", "true").lower() not in ("false", "0", "no", "off"),
        db_channel_url=env.get("DB_CHANNEL_URL") or None,
        aggregates_roles=tuple(
            r.strip() for r in env.get("AGGREGATES_ROLES", "school_admin,teacher").split(",") if r.strip()
        ),
        read_replica_urls=tuple(
            u.strip() for u in env.get("READ_REPLICA_URLS", env.get("READ_REPLICA_URL", "")).split(",") if u.strip()
        ),
        replica_max_lag=float(env.get("REPLICA_MAX_LAG", "5")),
        replica_check_interval=float(env.get("REPLICA_CHECK_INTERVAL", "1")),
        replica_read_your_writes=float(env.get("REPLICA_READ_YOUR_WRITES", "5")),
        auth=AuthConfig.from_env(dict(env)),
    )

-- Table state of m0014_roster_views_scope (down), as it ran from roster/0014_run_lease_down.sql, roster/0014_views_scope_down.sql.
drop schema oneroster;

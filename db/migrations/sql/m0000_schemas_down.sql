-- Table state of m0000_schemas (down), as it ran from schemas/0000_down.sql.
drop schema reporting;

drop schema api;

drop schema auth;

drop schema audit;

drop schema data;

-- Table state of m0003_auth (down), as it ran from tenancy/0003_auth_down.sql.
drop table auth.reporting_logins;

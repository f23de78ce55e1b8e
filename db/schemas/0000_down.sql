drop schema reporting;
drop schema api;
drop schema auth;
drop schema audit;
drop schema data;

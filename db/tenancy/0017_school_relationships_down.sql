drop function api.schools(api.audit_log);
drop function api.schools(api.enrollments);

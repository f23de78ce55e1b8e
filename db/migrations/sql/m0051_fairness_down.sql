-- Table state of m0051_fairness (down).
alter table data.partner_clients drop column secret_rotated_at;
drop table roster.import_locks;

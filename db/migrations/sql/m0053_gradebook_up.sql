-- Table state of m0053_gradebook (up), issue 17: the OneRoster 1.2 Gradebook
-- service over this product's assignments (line items) and grades (results).
-- Row-level security, audit, soft delete and timestamps reach the two new
-- tables through the code files' loops over `data` (db/tenancy/policies.sql,
-- db/audit/audit.sql, db/lifecycle/soft_delete.sql, db/integrity/triggers.sql).

-- OneRoster categories ("Homework", "Tests", with a weight), per school.
create table data.grade_categories (
    id uuid primary key default uuidv7(),
    school_id uuid not null references data.schools (id) on delete restrict on update cascade,
    title varchar(255) not null,
    weight numeric(5, 2),
    created_at timestamptz not null default current_timestamp,
    updated_at timestamptz not null default current_timestamp,
    is_deleted boolean not null default false,
    sourced_id varchar(255)
);
comment on table data.grade_categories is 'Gradebook categories of line items (OneRoster categories).';
alter table data.grade_categories add constraint grade_categories_school_id_id_key unique (school_id, id);
alter table data.grade_categories add constraint grade_categories_weight_check check (weight >= 0);
create unique index grade_categories_school_id_sourced_id_key on data.grade_categories (school_id, sourced_id)
    where sourced_id is not null;

-- OneRoster score scales: a class's mapping of scores to grades ("A" = "90-100").
create table data.score_scales (
    id uuid primary key default uuidv7(),
    school_id uuid not null references data.schools (id) on delete restrict on update cascade,
    title varchar(255) not null,
    type varchar(255) not null,
    class_id uuid not null,
    -- [{"itemValueLHS": ..., "itemValueRHS": ...}, ...], at least one pair
    scale_values jsonb not null,
    created_at timestamptz not null default current_timestamp,
    updated_at timestamptz not null default current_timestamp,
    is_deleted boolean not null default false,
    sourced_id varchar(255)
);
comment on table data.score_scales is 'Gradebook score scales of a class (OneRoster scoreScales).';
alter table data.score_scales add constraint score_scales_school_id_id_key unique (school_id, id);
alter table data.score_scales
    add constraint score_scales_class_id_tenant_fkey foreign key (school_id, class_id)
        references data.classes (school_id, id) on delete no action;
alter table data.score_scales add constraint score_scales_scale_values_check
    check (jsonb_typeof(scale_values) = 'array' and jsonb_array_length(scale_values) >= 1);
create index score_scales_class_id_idx on data.score_scales (school_id, class_id);
create unique index score_scales_school_id_sourced_id_key on data.score_scales (school_id, sourced_id)
    where sourced_id is not null;

-- Assignments are OneRoster line items.
alter table data.assignments
    add column sourced_id varchar(255),
    add column category_id uuid,
    add column academic_term_id uuid,
    add column score_scale_id uuid,
    add column min_score numeric(5, 2),
    -- OneRoster's resultValueMax is the scale, not a cap: Google Classroom sends
    -- extra credit (a score of 300 out of 100). Set on line items written
    -- through OneRoster; data.grades_check_score_within_max lets them pass.
    add column allows_extra_credit boolean not null default false;
alter table data.assignments
    add constraint assignments_category_id_tenant_fkey foreign key (school_id, category_id)
        references data.grade_categories (school_id, id) on delete set null (category_id),
    add constraint assignments_academic_term_id_tenant_fkey foreign key (school_id, academic_term_id)
        references data.academic_terms (school_id, id) on delete set null (academic_term_id),
    add constraint assignments_score_scale_id_tenant_fkey foreign key (school_id, score_scale_id)
        references data.score_scales (school_id, id) on delete set null (score_scale_id),
    add constraint assignments_min_score_check check (min_score <= max_score);
create index assignments_category_id_idx on data.assignments (school_id, category_id);
create index assignments_academic_term_id_idx on data.assignments (school_id, academic_term_id);
create index assignments_score_scale_id_idx on data.assignments (school_id, score_scale_id);
create unique index assignments_school_id_sourced_id_key on data.assignments (school_id, sourced_id)
    where sourced_id is not null;

-- Grades are OneRoster results.
alter table data.grades
    add column sourced_id varchar(255),
    add column score_status varchar(20),
    add column score_date date;
alter table data.grades add constraint grades_score_status_check
    check (score_status in ('EXEMPT', 'FULLY_GRADED', 'NOT_SUBMITTED', 'PARTIALLY_GRADED', 'SUBMITTED'));
create unique index grades_school_id_sourced_id_key on data.grades (school_id, sourced_id)
    where sourced_id is not null;
-- A partner system (OneRoster PUT result) records grades without a user of
-- this school; the audit log names the partner client as the actor.
alter table data.grades alter column recorded_by_user_id drop not null;

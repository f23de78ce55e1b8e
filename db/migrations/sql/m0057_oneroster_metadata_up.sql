-- Table state of m0057_oneroster_metadata (up), issue 17: the extension columns of
-- an imported OneRoster CSV row (`metadata.district.code` -> key `district.code`,
-- vendor columns `ext_*`/`ext.*` under their own name), null when the row had none.
-- A JSON object, as the 1.2 REST binding's `metadata`.
alter table data.schools add column metadata jsonb,
    add constraint schools_metadata_check check (jsonb_typeof(metadata) = 'object');
alter table data.users add column metadata jsonb,
    add constraint users_metadata_check check (jsonb_typeof(metadata) = 'object');
alter table data.academic_terms add column metadata jsonb,
    add constraint academic_terms_metadata_check check (jsonb_typeof(metadata) = 'object');
alter table data.subjects add column metadata jsonb,
    add constraint subjects_metadata_check check (jsonb_typeof(metadata) = 'object');
alter table data.classes add column metadata jsonb,
    add constraint classes_metadata_check check (jsonb_typeof(metadata) = 'object');
alter table data.enrollments add column metadata jsonb,
    add constraint enrollments_metadata_check check (jsonb_typeof(metadata) = 'object');
alter table data.grade_categories add column metadata jsonb,
    add constraint grade_categories_metadata_check check (jsonb_typeof(metadata) = 'object');
alter table data.score_scales add column metadata jsonb,
    add constraint score_scales_metadata_check check (jsonb_typeof(metadata) = 'object');
alter table data.assignments add column metadata jsonb,
    add constraint assignments_metadata_check check (jsonb_typeof(metadata) = 'object');
alter table data.grades add column metadata jsonb,
    add constraint grades_metadata_check check (jsonb_typeof(metadata) = 'object');

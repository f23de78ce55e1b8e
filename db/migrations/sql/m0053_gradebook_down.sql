-- Table state of m0053_gradebook (down).
update data.grades set recorded_by_user_id = (select u.id from data.users u where u.school_id = grades.school_id
    and u.role = 'ADMIN' order by u.id limit 1) where recorded_by_user_id is null;
alter table data.grades alter column recorded_by_user_id set not null;
drop index data.grades_school_id_sourced_id_key;
alter table data.grades drop column score_date, drop column score_status, drop column sourced_id;
drop index data.assignments_school_id_sourced_id_key;
alter table data.assignments drop column allows_extra_credit, drop column min_score, drop column score_scale_id,
    drop column academic_term_id, drop column category_id, drop column sourced_id;
drop table data.score_scales;
drop table data.grade_categories;

-- What a school's dashboard needs, for BI tools (README "Reporting tools"):
-- attendance rate per class, week and student; grade distribution per
-- assessment and class; fee collection and the ageing of open balances;
-- enrollment per term. Like the views of reporting.sql, security_invoker: the
-- policies of the tables underneath give a reporting login its own school, an
-- admin theirs. Names and columns are a contract with saved dashboards: add,
-- never rename. Every column has a comment (BI tools show it).
-- Current file: edit in place; `migrate` re-applies it when it changes (db/README.md).

create or replace view reporting.attendance_class_weekly with (security_invoker = true) as
    select a.school_id,
           a.class_id,
           c.name as class_name,
           date_trunc('week', a.date)::date as week_start,
           count(*) as marks,
           count(*) filter (where a.status = 'PRESENT') as present,
           count(*) filter (where a.status = 'LATE') as late,
           count(*) filter (where a.status = 'ABSENT') as absent,
           count(*) filter (where a.status = 'EXCUSED') as excused,
           count(distinct a.student_id) as students_marked,
           round(count(*) filter (where a.status in ('PRESENT', 'LATE'))::numeric / count(*), 4) as attendance_rate
    from data.attendance_records a
    join data.classes c on c.school_id = a.school_id and c.id = a.class_id
    group by a.school_id, a.class_id, c.name, date_trunc('week', a.date);
comment on view reporting.attendance_class_weekly is 'Attendance per class and week (marks taken in the class): marks by status and the attendance rate.';
comment on column reporting.attendance_class_weekly.school_id is 'The school.';
comment on column reporting.attendance_class_weekly.class_id is 'The class the marks were taken in (api.classes.id).';
comment on column reporting.attendance_class_weekly.class_name is 'Class name.';
comment on column reporting.attendance_class_weekly.week_start is 'Monday of the week.';
comment on column reporting.attendance_class_weekly.marks is 'Attendance marks recorded in the class that week.';
comment on column reporting.attendance_class_weekly.present is 'Marks with status PRESENT.';
comment on column reporting.attendance_class_weekly.late is 'Marks with status LATE.';
comment on column reporting.attendance_class_weekly.absent is 'Marks with status ABSENT.';
comment on column reporting.attendance_class_weekly.excused is 'Marks with status EXCUSED.';
comment on column reporting.attendance_class_weekly.students_marked is 'Distinct students with at least one mark.';
comment on column reporting.attendance_class_weekly.attendance_rate is 'Share of marks that are PRESENT or LATE, between 0 and 1 (4 decimals).';

create or replace view reporting.attendance_student_weekly with (security_invoker = true) as
    select a.school_id,
           a.student_id,
           s.student_number,
           date_trunc('week', a.date)::date as week_start,
           count(*) as marks,
           count(*) filter (where a.status = 'ABSENT') as absent,
           count(*) filter (where a.status = 'LATE') as late,
           round(count(*) filter (where a.status in ('PRESENT', 'LATE'))::numeric / count(*), 4) as attendance_rate
    from data.attendance_records a
    join data.students s on s.school_id = a.school_id and s.id = a.student_id
    where not s.is_deleted
    group by a.school_id, a.student_id, s.student_number, date_trunc('week', a.date);
comment on view reporting.attendance_student_weekly is 'Attendance per (not deleted) student and week: marks, absences, lateness and the attendance rate.';
comment on column reporting.attendance_student_weekly.school_id is 'The school.';
comment on column reporting.attendance_student_weekly.student_id is 'The student (api.students.id).';
comment on column reporting.attendance_student_weekly.student_number is 'The school''s own student code.';
comment on column reporting.attendance_student_weekly.week_start is 'Monday of the week.';
comment on column reporting.attendance_student_weekly.marks is 'Attendance marks recorded for the student that week.';
comment on column reporting.attendance_student_weekly.absent is 'Marks with status ABSENT.';
comment on column reporting.attendance_student_weekly.late is 'Marks with status LATE.';
comment on column reporting.attendance_student_weekly.attendance_rate is 'Share of marks that are PRESENT or LATE, between 0 and 1 (4 decimals).';

create or replace view reporting.grade_distribution with (security_invoker = true) as
    select x.school_id,
           x.id as assessment_id,
           x.name as assessment_name,
           x.class_id,
           c.name as class_name,
           x.max_score,
           count(g.id) as graded,
           round(avg(g.score / nullif(x.max_score, 0)) * 100, 2) as average_percent,
           round((percentile_cont(0.5) within group (order by (g.score / nullif(x.max_score, 0))) * 100)::numeric, 2)
               as median_percent,
           count(g.id) filter (where g.score >= x.max_score * 0.9) as band_90_100,
           count(g.id) filter (where g.score >= x.max_score * 0.8 and g.score < x.max_score * 0.9) as band_80_89,
           count(g.id) filter (where g.score >= x.max_score * 0.7 and g.score < x.max_score * 0.8) as band_70_79,
           count(g.id) filter (where g.score >= x.max_score * 0.6 and g.score < x.max_score * 0.7) as band_60_69,
           count(g.id) filter (where g.score < x.max_score * 0.6) as band_below_60
    from data.assessments x
    left join data.classes c on c.school_id = x.school_id and c.id = x.class_id
    left join data.grades g on g.school_id = x.school_id and g.assessment_id = x.id and not g.is_deleted
    where not x.is_deleted
    group by x.school_id, x.id, x.name, x.class_id, c.name, x.max_score;
comment on view reporting.grade_distribution is 'Score distribution per (not deleted) assessment and its class: count, average, median and bands of the maximum score.';
comment on column reporting.grade_distribution.school_id is 'The school.';
comment on column reporting.grade_distribution.assessment_id is 'The assessment (api.assessments.id).';
comment on column reporting.grade_distribution.assessment_name is 'Assessment name.';
comment on column reporting.grade_distribution.class_id is 'The class assessed, if any.';
comment on column reporting.grade_distribution.class_name is 'Class name, if any.';
comment on column reporting.grade_distribution.max_score is 'Highest possible score.';
comment on column reporting.grade_distribution.graded is 'Number of (not deleted) grades recorded.';
comment on column reporting.grade_distribution.average_percent is 'Average score as a percentage of the maximum (2 decimals).';
comment on column reporting.grade_distribution.median_percent is 'Median score as a percentage of the maximum (2 decimals).';
comment on column reporting.grade_distribution.band_90_100 is 'Grades at 90% of the maximum or above.';
comment on column reporting.grade_distribution.band_80_89 is 'Grades from 80% up to 90% of the maximum.';
comment on column reporting.grade_distribution.band_70_79 is 'Grades from 70% up to 80% of the maximum.';
comment on column reporting.grade_distribution.band_60_69 is 'Grades from 60% up to 70% of the maximum.';
comment on column reporting.grade_distribution.band_below_60 is 'Grades below 60% of the maximum.';

create or replace view reporting.fee_collection_monthly with (security_invoker = true) as
    with invoiced as (
        select i.school_id, date_trunc('month', i.issue_date)::date as month,
               count(*) as invoices, sum(i.total_amount) as invoiced_amount
        from data.invoices i
        where not i.is_deleted and i.status <> 'CANCELLED'
        group by 1, 2
    ), collected as (
        select p.school_id, date_trunc('month', p.payment_date)::date as month,
               count(*) as payments, sum(p.amount) as collected_amount
        from data.payments p
        where not p.is_deleted
        group by 1, 2
    )
    select coalesce(i.school_id, c.school_id) as school_id,
           coalesce(i.month, c.month) as month,
           coalesce(i.invoices, 0) as invoices,
           coalesce(i.invoiced_amount, 0)::numeric(12, 2) as invoiced_amount,
           coalesce(c.payments, 0) as payments,
           coalesce(c.collected_amount, 0)::numeric(12, 2) as collected_amount
    from invoiced i
    full join collected c on c.school_id = i.school_id and c.month = i.month;
comment on view reporting.fee_collection_monthly is 'Per month: amounts invoiced (by issue date, cancelled invoices left out) and collected (by payment date).';
comment on column reporting.fee_collection_monthly.school_id is 'The school.';
comment on column reporting.fee_collection_monthly.month is 'First day of the month.';
comment on column reporting.fee_collection_monthly.invoices is 'Invoices issued that month (not cancelled or deleted).';
comment on column reporting.fee_collection_monthly.invoiced_amount is 'Total of those invoices.';
comment on column reporting.fee_collection_monthly.payments is 'Payments received that month (not deleted).';
comment on column reporting.fee_collection_monthly.collected_amount is 'Total of those payments.';

create or replace view reporting.balance_ageing with (security_invoker = true) as
    select i.school_id,
           case
               when i.due_date >= current_date then 'current'
               when current_date - i.due_date <= 30 then '1-30'
               when current_date - i.due_date <= 60 then '31-60'
               when current_date - i.due_date <= 90 then '61-90'
               else '90+'
           end as age_band,
           count(*) as invoices,
           sum(i.balance_due)::numeric(12, 2) as balance_due
    from data.invoices i
    where not i.is_deleted and i.balance_due > 0 and i.status not in ('PAID', 'CANCELLED', 'DRAFT')
    group by 1, 2;
comment on view reporting.balance_ageing is 'Open balances (sent or partly paid invoices) by days past the due date.';
comment on column reporting.balance_ageing.school_id is 'The school.';
comment on column reporting.balance_ageing.age_band is 'current (not yet due), 1-30, 31-60, 61-90 or 90+ days past due.';
comment on column reporting.balance_ageing.invoices is 'Invoices with a balance in the band.';
comment on column reporting.balance_ageing.balance_due is 'Sum of their balances.';

create or replace view reporting.enrollment_by_term with (security_invoker = true) as
    select t.school_id,
           t.id as academic_term_id,
           t.name as term_name,
           t.start_date,
           t.end_date,
           t.is_current,
           count(distinct c.id) as classes,
           count(e.student_id) as enrollments,
           count(distinct e.student_id) as students
    from data.academic_terms t
    left join data.classes c on c.school_id = t.school_id and c.academic_term_id = t.id and not c.is_deleted
    left join data.enrollments e on e.school_id = c.school_id and e.class_id = c.id
    where not t.is_deleted
    group by t.school_id, t.id, t.name, t.start_date, t.end_date, t.is_current;
comment on view reporting.enrollment_by_term is 'Per (not deleted) academic term: its classes, enrollments and distinct students enrolled.';
comment on column reporting.enrollment_by_term.school_id is 'The school.';
comment on column reporting.enrollment_by_term.academic_term_id is 'The term (api.academic_terms.id).';
comment on column reporting.enrollment_by_term.term_name is 'Term name.';
comment on column reporting.enrollment_by_term.start_date is 'First day of the term.';
comment on column reporting.enrollment_by_term.end_date is 'Last day of the term.';
comment on column reporting.enrollment_by_term.is_current is 'Whether it is the school''s current term.';
comment on column reporting.enrollment_by_term.classes is 'Classes running in the term (not deleted).';
comment on column reporting.enrollment_by_term.enrollments is 'Enrollments in those classes.';
comment on column reporting.enrollment_by_term.students is 'Distinct students enrolled in at least one of them.';

grant select on reporting.attendance_class_weekly, reporting.attendance_student_weekly, reporting.grade_distribution,
    reporting.fee_collection_monthly, reporting.balance_ageing, reporting.enrollment_by_term
    to reporting, school_admin;

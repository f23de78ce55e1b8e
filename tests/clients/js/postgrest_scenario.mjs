// The supabase JS client (@supabase/postgrest-js) against the gateway, as an
// app developer writes it. Run by tests/clients/test_postgrest_js.py, which
// passes the gateway URL, tokens and the rows to work on in SCENARIO (JSON),
// and checks every step's answer against the database.
//
// Each step prints what the client returned ({data, error, count, status});
// a failing step never stops the others, so that one missing feature shows as
// one failing check on the Python side.
import { PostgrestClient } from '@supabase/postgrest-js'

const config = JSON.parse(process.env.SCENARIO)
const headersFor = (token) => ({ Authorization: `Bearer ${token}` })
const admin = new PostgrestClient(config.url, { schema: 'api', headers: headersFor(config.adminToken) })
const teacher = new PostgrestClient(config.url, { schema: 'api', headers: headersFor(config.teacherToken) })
const prefix = config.prefix // student numbers of this run start with it

const results = {}
async function step(name, run) {
  try {
    const { data, error, count, status } = await run()
    results[name] = { data: data ?? null, error: error ?? null, count: count ?? null, status }
  } catch (thrown) {
    results[name] = { data: null, error: { message: String(thrown?.message ?? thrown), thrown: true }, count: null, status: null }
  }
}

const students = () => admin.from('students')

// ------------------------------------------------------------------ reading
await step('select', () =>
  students().select('id,student_number,first_name,last_name').order('student_number').limit(5))
await step('embed_one_to_many', () =>
  students().select('id,student_number,enrollments(class_id)').eq('student_number', 'S00001'))
await step('embed_many_to_one', () =>
  admin.from('classes').select('id,name,teachers(first_name,last_name)').order('id').limit(3))

const filters = {
  eq: (q) => q.eq('last_name', 'Kim'),
  neq: (q) => q.neq('gender', 'FEMALE'),
  gt: (q) => q.gt('date_of_birth', '2014-06-30'),
  gte: (q) => q.gte('date_of_birth', '2014-06-30'),
  lt: (q) => q.lt('student_number', 'S00010'),
  lte: (q) => q.lte('student_number', 'S00010'),
  like: (q) => q.like('last_name', 'K%'),
  ilike: (q) => q.ilike('last_name', '%SEN%'),
  in: (q) => q.in('student_number', ['S00001', 'S00002', 'S00003']),
  is: (q) => q.is('user_id', null),
  not_is: (q) => q.not('user_id', 'is', null),
  not_in: (q) => q.not('gender', 'in', '(MALE,FEMALE)'),
  or: (q) => q.or('last_name.eq.Kim,first_name.eq.Hana'),
  match: (q) => q.match({ last_name: 'Kim', enrollment_status: 'ACTIVE' }),
  filter: (q) => q.filter('first_name', 'like', '*a*'),
}
for (const [name, apply] of Object.entries(filters)) {
  await step(`filter_${name}`, () => apply(students().select('id').not('student_number', 'like', `${prefix}*`)))
}

await step('order_range', () =>
  students().select('id')
    .order('user_id', { ascending: false, nullsFirst: true }).order('last_name').order('id', { ascending: false })
    .range(10, 19))
await step('count_exact', () =>
  students().select('id', { count: 'exact' }).eq('enrollment_status', 'ACTIVE').order('id').limit(3))
await step('count_head', () => admin.from('invoices').select('*', { count: 'exact', head: true }))
await step('single', () => students().select('id,first_name').eq('student_number', 'S00002').single())
await step('maybe_single_none', () => students().select('id').eq('student_number', 'NO-SUCH').maybeSingle())
await step('single_many', () => students().select('id').eq('enrollment_status', 'ACTIVE').single())
await step('csv', () =>
  students().select('student_number,last_name,user_id').not('student_number', 'like', `${prefix}*`)
    .order('student_number').limit(4).csv())
await step('bad_value', () => students().select('id').eq('id', 'not-a-uuid'))

// ------------------------------------------------------------------ writing
// school_id left out: the api views default it to the caller's school.
await step('insert_one', () =>
  students().insert({ student_number: `${prefix}one`, first_name: 'Grace', last_name: 'Hopper',
                      date_of_birth: '2015-12-09', gender: 'FEMALE' }).select())
await step('insert_many', () =>
  students().insert([1, 2, 3].map((i) => ({ student_number: `${prefix}many${i}`, first_name: `Many${i}`,
                                            last_name: 'Batch', date_of_birth: `2014-02-0${i}` }))).select())
await step('insert_many_missing_default', () =>
  students().insert([
    { student_number: `${prefix}md1`, first_name: 'Md1', last_name: 'Default' },
    { student_number: `${prefix}md2`, first_name: 'Md2', last_name: 'Default', enrollment_status: 'INACTIVE' },
  ], { defaultToNull: false }).select())

const upsertTarget = results.insert_one.data?.[0]
await step('upsert', () =>
  students().upsert([
    { id: upsertTarget?.id, student_number: `${prefix}one`, first_name: 'Grace B.', last_name: 'Hopper' },
    { id: config.newId, student_number: `${prefix}upserted`, first_name: 'Fresh', last_name: 'Upsert' },
  ]).select())
await step('upsert_ignore', () =>
  students().upsert({ id: config.newId, student_number: `${prefix}upserted`, first_name: 'Ignored',
                      last_name: 'Upsert' }, { onConflict: 'id', ignoreDuplicates: true }).select())
await step('update', () =>
  students().update({ enrollment_status: 'SUSPENDED', last_name: 'Updated' }, { count: 'exact' })
    .like('student_number', `${prefix}many*`).select('id,student_number,last_name,enrollment_status'))
await step('delete', () =>
  students().delete().eq('student_number', `${prefix}many3`).select('id'))
await step('after_delete', () =>
  students().select('id').eq('student_number', `${prefix}many3`))

// ------------------------------------------------------------------ rpc
await step('rpc_set_current_term', () => admin.rpc('set_current_term', { p_term_id: config.termId }))
await step('rpc_record_payment', () =>
  admin.rpc('record_payment', { p_invoice_id: config.invoiceId, p_amount: 7.25, p_method: 'CASH',
                                p_transaction_id: `${prefix}pay` }))
await step('rpc_mark_class_attendance', () =>
  teacher.rpc('mark_class_attendance', { p_class_id: config.classId, p_date: config.day, p_session: 'JS',
                                         p_records: config.attendance }))

process.stdout.write(JSON.stringify(results))

// A react-admin page over the gateway: the students resource with a list
// (sorting, filtering, paging), show, edit and create. The data provider is
// @raphiniert/ra-data-postgrest; the gateway is reached under /api on the
// page's own origin (the test's static server proxies it), so no CORS is needed.
import { createRoot } from 'react-dom/client'
import {
  Admin, Resource, List, Datagrid, TextField, DateField, Show, SimpleShowLayout, Edit, Create, SimpleForm,
  TextInput, DateInput, SelectInput, EditButton, ShowButton, fetchUtils, required,
} from 'react-admin'
import postgrestRestProvider, { defaultPrimaryKeys } from '@raphiniert/ra-data-postgrest'

const API = `${window.location.origin}/api`
const TOKEN = 'school.token'

// Log in with the gateway's own POST /auth/login (email + password -> JWT).
const authProvider = {
  async login({ username, password }) {
    const response = await fetch(`${API}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: username, password }),
    })
    if (!response.ok) throw new Error('Invalid email or password')
    const { access_token: token, role, school_id: schoolId } = await response.json()
    localStorage.setItem(TOKEN, JSON.stringify({ token, role, schoolId }))
  },
  async logout() { localStorage.removeItem(TOKEN) },
  async checkAuth() { if (!localStorage.getItem(TOKEN)) throw new Error('not signed in') },
  async checkError(error) {
    if (error.status === 401) { localStorage.removeItem(TOKEN); throw error }
  },
  async getPermissions() { return JSON.parse(localStorage.getItem(TOKEN) || '{}').role },
  async getIdentity() {
    const { role, schoolId } = JSON.parse(localStorage.getItem(TOKEN) || '{}')
    return { id: schoolId, fullName: role }
  },
}

const httpClient = (url, options = {}) => {
  const { token } = JSON.parse(localStorage.getItem(TOKEN) || '{}')
  return fetchUtils.fetchJson(url, { ...options, user: { authenticated: Boolean(token), token: `Bearer ${token}` } })
}

const dataProvider = postgrestRestProvider({
  apiUrl: API,
  httpClient,
  defaultListOp: 'eq',
  primaryKeys: defaultPrimaryKeys,
  schema: () => 'api',
})

const STATUSES = ['ACTIVE', 'INACTIVE', 'SUSPENDED', 'GRADUATED', 'TRANSFERRED', 'WITHDRAWN']
  .map((id) => ({ id, name: id }))
const GENDERS = ['FEMALE', 'MALE', 'NON_BINARY', 'OTHER', 'UNDISCLOSED'].map((id) => ({ id, name: id }))

const studentFilters = [
  <TextInput key="last" label="Last name" source="last_name@ilike" alwaysOn />,
  <SelectInput key="status" label="Status" source="enrollment_status" choices={STATUSES} alwaysOn />,
]

const StudentList = () => (
  <List filters={studentFilters} sort={{ field: 'student_number', order: 'ASC' }} perPage={10}>
    <Datagrid rowClick="show" bulkActionButtons={false}>
      <TextField source="student_number" label="Number" />
      <TextField source="first_name" label="First name" />
      <TextField source="last_name" label="Last name" />
      <DateField source="date_of_birth" label="Born" />
      <TextField source="enrollment_status" label="Status" />
      <EditButton />
    </Datagrid>
  </List>
)

const StudentShow = () => (
  <Show>
    <SimpleShowLayout>
      <TextField source="id" />
      <TextField source="student_number" />
      <TextField source="first_name" />
      <TextField source="last_name" />
      <DateField source="date_of_birth" />
      <TextField source="gender" />
      <TextField source="enrollment_status" />
      <EditButton />
    </SimpleShowLayout>
  </Show>
)

const StudentForm = () => (
  <SimpleForm>
    <TextInput source="student_number" validate={required()} />
    <TextInput source="first_name" validate={required()} />
    <TextInput source="last_name" validate={required()} />
    <DateInput source="date_of_birth" />
    <SelectInput source="gender" choices={GENDERS} />
    <SelectInput source="enrollment_status" choices={STATUSES} />
  </SimpleForm>
)

const StudentEdit = () => (
  <Edit mutationMode="pessimistic" redirect="show"><StudentForm /></Edit>
)
const StudentCreate = () => <Create redirect="show"><StudentForm /></Create>

createRoot(document.getElementById('root')).render(
  <Admin disableTelemetry dataProvider={dataProvider} authProvider={authProvider} requireAuth>
    <Resource name="students" list={StudentList} show={StudentShow} edit={StudentEdit} create={StudentCreate}
              recordRepresentation="student_number" />
  </Admin>,
)

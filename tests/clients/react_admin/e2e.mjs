// The react-admin page in headless Chromium (playwright-core, the system's
// /usr/bin/chromium), as an office user works with it: sign in, list students
// (sort, filter, page), open one, edit and save it, create one.
//
// Run by tests/clients/test_react_admin.py with E2E (JSON): {dist, gateway,
// email, password, artifacts, newStudent, editedFirstName}. This script serves
// the built page from `dist` on 127.0.0.1 and proxies /api/* to the gateway
// (same origin: no CORS). After each step it prints one JSON line
// {"step": ..., ...what the page shows...} and waits for a line on stdin
// before going on, so that the test checks the database between the steps.
import http from 'node:http'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { chromium } from 'playwright-core'

const config = JSON.parse(process.env.E2E)
const TIMEOUT = 20_000
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' }

function serve(dist, gateway) {
  const upstream = new URL(gateway)
  const server = http.createServer((request, response) => {
    if (request.url.startsWith('/api/')) {
      const proxied = http.request({
        host: upstream.hostname, port: upstream.port, method: request.method,
        path: request.url.slice('/api'.length), headers: { ...request.headers, host: upstream.host },
      }, (answer) => { response.writeHead(answer.statusCode, answer.headers); answer.pipe(response) })
      proxied.on('error', (error) => { response.writeHead(502); response.end(String(error)) })
      request.pipe(proxied)
      return
    }
    const wanted = path.join(dist, decodeURIComponent(new URL(request.url, 'http://x').pathname))
    const file = wanted.startsWith(dist) && fs.existsSync(wanted) && fs.statSync(wanted).isFile()
      ? wanted : path.join(dist, 'index.html')
    response.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' })
    fs.createReadStream(file).pipe(response)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

const input = readline.createInterface({ input: process.stdin })
const lines = input[Symbol.asyncIterator]()
async function report(step, facts) {
  process.stdout.write(JSON.stringify({ step, ...facts }) + '\n')
  const { value, done } = await lines.next() // the test checked the database
  if (done || value.trim() !== 'next') throw new Error(`stopped by the test after ${step}`)
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(config.artifacts, `react-admin-${name}.png`), fullPage: true })
}

// The student numbers the list shows, once they equal what the gateway answered
// to the list request that `action` triggers (so the DOM is the new page, not the old one).
async function listAfter(page, action, matches) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/students?') && r.request().method() === 'GET' && matches(r.url()),
                         { timeout: TIMEOUT }),
    action(),
  ])
  const body = await response.json()
  const numbers = body.map((row) => row.student_number)
  await page.waitForFunction(
    (expected) => JSON.stringify([...document.querySelectorAll('tbody td.column-student_number')]
      .map((cell) => cell.textContent)) === JSON.stringify(expected),
    numbers, { timeout: TIMEOUT })
  const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => Object.fromEntries(
    [...tr.querySelectorAll('td[class*="column-"]')].map((td) => [
      [...td.classList].find((c) => c.startsWith('column-')).slice('column-'.length), td.textContent]))))
  const shown = await page.locator('.MuiTablePagination-displayedRows').textContent({ timeout: TIMEOUT })
  return {
    url: decodeURIComponent(response.url()), status: response.status(),
    contentRange: response.headers()['content-range'] ?? null, rows, shown,
  }
}

// A shown field's value: the last child of its labelled block (the first is the label).
async function field(page, source) {
  const block = page.locator(`.ra-field-${source}`).first()
  await block.waitFor({ timeout: TIMEOUT })
  return block.evaluate((element) => element.lastElementChild.textContent)
}

const dist = path.resolve(config.dist)
const server = await serve(dist, config.gateway)
const origin = `http://127.0.0.1:${server.address().port}`
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'school-chromium-'))
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
})
const page = context.pages()[0] ?? await context.newPage()
const problems = []
page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })
// Nothing but the page's own origin: the test must not reach the network.
await context.route('**/*', (route) => route.request().url().startsWith(origin) ? route.continue() : route.abort())

let failed = false
try {
  // 1. Sign in through the login form (the authProvider calls POST /auth/login).
  await page.goto(`${origin}/#/login`)
  await page.locator('input[name="username"]').fill(config.email, { timeout: TIMEOUT })
  await page.locator('input[name="password"]').fill(config.password)
  const first = await listAfter(page, () => page.locator('button[type="submit"]').click(), () => true)
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('school.token') || 'null'))
  await shot(page, '1-list')
  await report('list', { ...first, role: stored?.role ?? null, schoolId: stored?.schoolId ?? null })

  // 2. Sort by last name (a click on the column header).
  const sorted = await listAfter(page, () => page.locator('thead th.column-last_name [role="button"], thead th.column-last_name span').first().click(),
    (url) => url.includes('order=last_name.asc'))
  await report('sort', sorted)

  // 3. Page 2 of that order.
  const paged = await listAfter(page, () => page.getByRole('button', { name: 'Go to page 2' }).click(),
    (url) => url.includes('offset=10'))
  await shot(page, '2-page')
  await report('page', paged)

  // 4. Filter: last name contains "sen" (ilike), and status ACTIVE.
  const filtered = await listAfter(page, () => page.locator('input[name="last_name@ilike"]').fill('sen'),
    (url) => url.includes('last_name=ilike.'))
  await shot(page, '3-filter')
  await report('filter', filtered)

  // 5. Open the first row of the filtered list.
  const number = filtered.rows[0].student_number
  await page.locator('tbody tr').first().click()
  await page.waitForURL(/#\/students\/[^/]+\/show$/, { timeout: TIMEOUT })
  await page.locator('.ra-field-first_name').first().waitFor({ timeout: TIMEOUT })
  const id = decodeURIComponent(page.url().split('#/students/')[1].split('/')[0])
  const shownRecord = {}
  for (const source of ['id', 'student_number', 'first_name', 'last_name', 'enrollment_status', 'gender']) {
    shownRecord[source] = await field(page, source)
  }
  await shot(page, '4-show')
  await report('show', { id, number, record: shownRecord })

  // 6. Edit it: a new first name, saved (pessimistic: the PATCH answers before the redirect).
  await page.goto(`${origin}/#/students/${encodeURIComponent(id)}`)
  const firstName = page.locator('input[name="first_name"]')
  await firstName.waitFor({ timeout: TIMEOUT })
  await page.waitForFunction(() => document.querySelector('input[name="first_name"]').value !== '', null, { timeout: TIMEOUT })
  await firstName.fill(config.editedFirstName)
  const [patch] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/students?') && r.request().method() === 'PATCH', { timeout: TIMEOUT }),
    page.getByRole('button', { name: 'Save' }).click(),
  ])
  await page.waitForURL(/\/show$/, { timeout: TIMEOUT })
  await page.getByText(config.editedFirstName).first().waitFor({ timeout: TIMEOUT })
  await shot(page, '5-edited')
  await report('edit', { id, status: patch.status(), shownFirstName: await field(page, 'first_name') })

  // 7. Create a student.
  await page.goto(`${origin}/#/students/create`)
  const student = config.newStudent
  await page.locator('input[name="student_number"]').fill(student.student_number, { timeout: TIMEOUT })
  await page.locator('input[name="first_name"]').fill(student.first_name)
  await page.locator('input[name="last_name"]').fill(student.last_name)
  await page.locator('input[name="date_of_birth"]').fill(student.date_of_birth)
  const [post] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/students') && r.request().method() === 'POST', { timeout: TIMEOUT }),
    page.getByRole('button', { name: 'Save' }).click(),
  ])
  await page.waitForURL(/#\/students\/[^/]+\/show$/, { timeout: TIMEOUT })
  await page.locator('.ra-field-student_number').first().waitFor({ timeout: TIMEOUT })
  const createdId = decodeURIComponent(page.url().split('#/students/')[1].split('/')[0])
  await shot(page, '6-created')
  await report('create', { id: createdId, status: post.status(), shownNumber: await field(page, 'student_number') })
} catch (error) {
  failed = true
  await shot(page, 'failure').catch(() => {})
  process.stdout.write(JSON.stringify({ step: 'error', message: String(error?.stack ?? error), problems }) + '\n')
} finally {
  await context.close()
  server.close()
  input.close()
  fs.rmSync(profile, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)

// Builds the static assets that Django serves, so the app never needs Node.
// Usage: cd frontend && npm ci && npm run build
import { cpSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '..')
const govuk = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist', 'govuk')
const out = join(root, 'static', 'govuk')

function fail (message) {
  console.error(`build: ${message}`)
  process.exit(1)
}

// Start from a clean output folder so removed upstream files do not linger.
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

// 1. CSS
const { css } = sass.compile(join(here, 'scss', 'app.scss'), {
  style: 'compressed',
  importers: [new sass.NodePackageImporter()]
})
if (/GDS Transport/i.test(css)) fail('compiled CSS mentions GDS Transport')
if (/@font-face/i.test(css)) fail('compiled CSS contains @font-face')
writeFileSync(join(out, 'app.css'), css + '\n')

// 2. JavaScript: the ES module bundle. Its source map is not shipped, so drop
// the sourceMappingURL comment (ManifestStaticFilesStorage would fail on it).
const js = readFileSync(join(govuk, 'govuk-frontend.min.js'), 'utf8')
  .replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '')
writeFileSync(join(out, 'govuk-frontend.min.js'), js + '\n')

// 3. Assets: only the crest the compiled CSS refers to. No fonts, and none of GOV.UK's crown
// favicons, app icons or sharing image: this is a council service, not GOV.UK.
rmSync(join(out, 'assets'), { recursive: true, force: true })
mkdirSync(join(out, 'assets', 'images'), { recursive: true })
copyFileSync(join(govuk, 'assets', 'images', 'govuk-crest.svg'), join(out, 'assets', 'images', 'govuk-crest.svg'))
copyFileSync(join(here, 'brand', 'favicon.svg'), join(out, 'assets', 'images', 'app-favicon.svg'))

// Every url() in the CSS must point at a file we ship.
for (const [, raw] of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
  if (raw.startsWith('data:') || raw.startsWith('#')) continue
  if (/^([a-z]+:|\/)/i.test(raw)) fail(`unexpected non-relative url(${raw})`)
  if (!existsSync(join(out, raw.split(/[?#]/)[0]))) fail(`url(${raw}) has no file in static/govuk/`)
}

// 4. axe-core, for the browser accessibility tests.
const vendor = join(root, 'tests', 'browser', 'vendor')
mkdirSync(vendor, { recursive: true })
copyFileSync(require.resolve('axe-core/axe.min.js'), join(vendor, 'axe.min.js'))

const version = (name) => require(`${name}/package.json`).version
console.log(`build: wrote static/govuk/ and tests/browser/vendor/axe.min.js ` +
  `(govuk-frontend ${version('govuk-frontend')}, axe-core ${version('axe-core')}, ${sass.info.replace(/\s+/g, ' ')})`)

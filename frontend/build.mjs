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

// 5. leaflet.markercluster, for the search results map. Leaflet itself is not
// copied: django-leaflet ships it at static/leaflet/. As with GOV.UK Frontend's
// bundle, drop the sourceMappingURL comment (the map is not shipped).
const cluster = dirname(require.resolve('leaflet.markercluster/package.json'))
const clusterOut = join(root, 'static', 'vendor', 'leaflet.markercluster')
rmSync(clusterOut, { recursive: true, force: true })
mkdirSync(clusterOut, { recursive: true })
const clusterJs = readFileSync(join(cluster, 'dist', 'leaflet.markercluster.js'), 'utf8')
  .replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '')
if (/sourceMappingURL/.test(clusterJs)) fail('leaflet.markercluster.js still mentions sourceMappingURL')
writeFileSync(join(clusterOut, 'leaflet.markercluster.js'),
  `/*! leaflet.markercluster ${version('leaflet.markercluster')} | MIT licence: see MIT-LICENCE.txt */\n` + clusterJs + '\n')
for (const name of ['MarkerCluster.css', 'MarkerCluster.Default.css']) {
  const clusterCss = readFileSync(join(cluster, 'dist', name), 'utf8')
  if (/url\(|sourceMappingURL/.test(clusterCss)) fail(`${name} refers to files we do not ship`)
  writeFileSync(join(clusterOut, name), clusterCss)
}
// Not copyFileSync: the npm package has this file marked executable.
writeFileSync(join(clusterOut, 'MIT-LICENCE.txt'), readFileSync(join(cluster, 'MIT-LICENCE.txt')))

console.log(`build: wrote static/govuk/, static/vendor/leaflet.markercluster/ and tests/browser/vendor/axe.min.js ` +
  `(govuk-frontend ${version('govuk-frontend')}, axe-core ${version('axe-core')}, ` +
  `leaflet.markercluster ${version('leaflet.markercluster')}, ${sass.info.replace(/\s+/g, ' ')})`)

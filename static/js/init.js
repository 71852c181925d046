// Starts GOV.UK Frontend's JavaScript. Loaded with <script type="module">, so
// it only runs in browsers GOV.UK Frontend supports; there is no inline
// script, which keeps a strict Content Security Policy possible.
import { initAll } from '../govuk/govuk-frontend.min.js'

document.body.classList.add('govuk-frontend-supported')
initAll()

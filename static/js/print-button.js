// Progressive enhancement: turns each <div data-print-button="Button text" hidden>
// into a visible button that opens the browser's print dialogue. Without
// JavaScript the div stays hidden and the page's own instructions (Ctrl+P)
// apply. No inline scripts or handlers, so a strict CSP stays possible.
(function () {
  'use strict'

  // Django's JavaScript catalog (/jsi18n/) defines the globals; without it, the English stands.
  function gettext (text) {
    return typeof window.gettext === 'function' ? window.gettext(text) : text
  }

  if (typeof window.print !== 'function' || !document.querySelectorAll) return

  var containers = document.querySelectorAll('[data-print-button]')
  Array.prototype.forEach.call(containers, function (container) {
    var button = document.createElement('button')
    button.type = 'button'
    button.className = 'govuk-button govuk-button--secondary'
    button.textContent = container.getAttribute('data-print-button') || gettext('Print this page')
    button.addEventListener('click', function () {
      window.print()
    })
    container.appendChild(button)
    container.hidden = false
  })
})()

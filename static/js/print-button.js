// Progressive enhancement: turns each <div data-print-button="Button text" hidden>
// into a visible button that opens the browser's print dialogue. Without
// JavaScript the div stays hidden and the page's own instructions (Ctrl+P)
// apply. No inline scripts or handlers, so a strict CSP stays possible.
(function () {
  'use strict'

  if (typeof window.print !== 'function' || !document.querySelectorAll) return

  var containers = document.querySelectorAll('[data-print-button]')
  Array.prototype.forEach.call(containers, function (container) {
    var button = document.createElement('button')
    button.type = 'button'
    button.className = 'govuk-button govuk-button--secondary'
    button.textContent = container.getAttribute('data-print-button') || 'Print this page'
    button.addEventListener('click', function () {
      window.print()
    })
    container.appendChild(button)
    container.hidden = false
  })
})()

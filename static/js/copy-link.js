// "Copy link" beside a shared shortlist's address: shown only where the
// browser lets a page copy (a secure context with the Clipboard API). Without
// it the address is plain text people can select. The result is announced.
(function () {
  'use strict'

  // Django's JavaScript catalog (/jsi18n/) defines the globals; without it, the English stands.
  function gettext (text) {
    return typeof window.gettext === 'function' ? window.gettext(text) : text
  }

  if (!navigator.clipboard || typeof navigator.clipboard.writeText !== 'function') return

  var buttons = document.querySelectorAll('[data-copy-link]')
  Array.prototype.forEach.call(buttons, function (button) {
    var source = document.getElementById(button.getAttribute('data-copy-link'))
    var status = button.parentNode.querySelector('.app-copy-status')
    if (!source) return
    button.hidden = false
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (status) status.textContent = gettext('Link copied. You can paste it into an email or message.')
      }, function () {
        if (status) status.textContent = gettext('Your browser did not let us copy the link. Select it and copy it instead.')
      })
    })
  })
})()

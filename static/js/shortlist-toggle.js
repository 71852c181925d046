// "Add to shortlist" and "Remove from shortlist" without leaving the page.
// Each button is a plain form that works without JavaScript (the page comes
// back at the same provider); with it, the form is sent in the background,
// the button changes in place and a screen reader hears what happened.
(function () {
  'use strict'

  // Django's JavaScript catalog (/jsi18n/) defines the globals; without it, the English stands.
  function gettext (text) {
    return typeof window.gettext === 'function' ? window.gettext(text) : text
  }

  var live

  function announce (words) {
    if (!live) {
      live = document.createElement('div')
      live.className = 'govuk-visually-hidden'
      live.setAttribute('role', 'status')
      document.body.appendChild(live)
    }
    live.textContent = ''
    window.setTimeout(function () { live.textContent = words }, 50)
  }

  function update (form, result) {
    var button = form.querySelector('button')
    form.action = result.action
    button.firstChild.nodeValue = result.listed
      ? gettext('Remove from shortlist')
      : gettext('Add to shortlist')
    var counts = document.querySelectorAll('.app-shortlist-count')
    for (var i = 0; i < counts.length; i++) counts[i].textContent = String(result.count)
    announce(result.message)
  }

  function onSubmit (event) {
    var form = event.target
    if (!form.classList || !form.classList.contains('app-shortlist-toggle')) return
    if (typeof window.fetch !== 'function' || typeof window.FormData !== 'function') return
    event.preventDefault()
    // Not `disabled`: that would throw a keyboard user's focus back to the top of the page.
    if (form.getAttribute('data-busy')) return
    form.setAttribute('data-busy', 'true')
    fetch(form.action, {
      method: 'POST',
      body: new FormData(form),
      credentials: 'same-origin',
      headers: { Accept: 'application/json' }
    }).then(function (response) {
      if (!response.ok) throw new Error('shortlist ' + response.status)
      return response.json()
    }).then(function (result) {
      form.removeAttribute('data-busy')
      update(form, result)
    }).catch(function () {
      // Fall back to the plain form, which explains any problem on a page of its own.
      form.removeAttribute('data-busy')
      form.submit()
    })
  }

  document.addEventListener('submit', onSubmit)
})()

// "Use my location" on the search form, for browsers that can share one. The
// location is posted once (never put in a URL), turned into the nearest
// postcode sector by the server and not kept. Without JavaScript, or without
// geolocation, the button stays hidden and people type a postcode or town.
(function () {
  'use strict'

  // Django's JavaScript catalog (/jsi18n/) defines the globals; without it, the English stands.
  function gettext (text) {
    return typeof window.gettext === 'function' ? window.gettext(text) : text
  }

  function init () {
    var block = document.querySelector('.app-locate')
    if (!block || !('geolocation' in navigator)) return
    var form = block.querySelector('form')
    var message = block.querySelector('.app-locate__message')
    var busy = false
    block.hidden = false

    function say (words) { message.textContent = words }

    form.addEventListener('submit', function (event) {
      if (form.elements.latitude.value) return // already located: let it go
      event.preventDefault()
      if (busy) return // not `disabled`, which would take a keyboard user's focus away
      busy = true
      say(gettext('Finding your location…'))
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(5)
        form.elements.longitude.value = position.coords.longitude.toFixed(5)
        say('')
        form.submit()
      }, function (error) {
        busy = false
        say(error && error.code === 1
          ? gettext('Your browser did not share your location. Enter a postcode or town instead.')
          : gettext('We could not find your location. Enter a postcode or town instead.'))
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 })
    })
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init)
  } else {
    init()
  }
})()

// Draws the area a provider covers (a circle and/or postcode districts around its area centre)
// from the JSON in #profile-map-data, with the listing's marker at the centre: the same shape and
// words as on the search map (its state is the container's data-mark; the symbols and the key
// are providers/_map_key.html, shared with the search page). Without JavaScript or Leaflet, the
// words on the page say the same and the map and its key stay hidden.
(function () {
  'use strict'

  // Django's JavaScript catalog (/jsi18n/) defines the globals; without it, the English stands.
  function gettext (text) {
    return typeof window.gettext === 'function' ? window.gettext(text) : text
  }

  // The listing's marker, drawn from the key's symbol; its words are in the key below the map.
  function markIcon (L, state) {
    var svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
    svg.setAttribute('class', 'app-mark')
    svg.setAttribute('aria-hidden', 'true')
    svg.setAttribute('focusable', 'false')
    svg.setAttribute('width', '28')
    svg.setAttribute('height', '28')
    var use = document.createElementNS('http://www.w3.org/2000/svg', 'use')
    use.setAttribute('href', '#app-mark-' + (/^[012]$/.test(state || '') ? state : '0'))
    svg.appendChild(use)
    return L.divIcon({ className: 'app-results-map__pin', html: svg, iconSize: [28, 28], iconAnchor: [14, 14] })
  }

  function init () {
    try {
      var container = document.getElementById('profile-map')
      var source = document.getElementById('profile-map-data')
      var wrapper = container && container.closest('.app-profile-map-wrapper')
      if (!container || !source || typeof window.L === 'undefined') return
      var data = JSON.parse(source.textContent)
      if (!data || !data.centre || typeof data.centre.lat !== 'number') return
      var L = window.L
      if (wrapper) wrapper.hidden = false
      container.hidden = false
      L.Control.Zoom.mergeOptions({ zoomInTitle: gettext('Zoom in'), zoomOutTitle: gettext('Zoom out') })
      var map = L.map(container, {
        scrollWheelZoom: false,
        attributionControl: Boolean(data.tiles && data.tiles.url),
        maxZoom: (data.tiles && data.tiles.maxZoom) || 16
      })
      if (data.tiles && data.tiles.url) {
        L.tileLayer(data.tiles.url, {
          attribution: data.tiles.attribution,
          maxZoom: data.tiles.maxZoom
        }).addTo(map)
      }
      var centre = [data.centre.lat, data.centre.lon]
      map.setView(centre, 11) // layers need a view before their bounds can be measured
      var layers = []
      if (data.radiusMiles > 0) {
        layers.push(L.circle(centre, { radius: data.radiusMiles * 1609.34, weight: 2 }))
      }
      ;(data.districts || []).forEach(function (district) {
        var marker = L.circleMarker([district.lat, district.lon], { radius: 8, weight: 2 })
        marker.bindTooltip(String(district.code))
        layers.push(marker)
      })
      var bounds = L.latLngBounds([centre, centre])
      if (layers.length) bounds.extend(L.featureGroup(layers).addTo(map).getBounds())
      L.marker(centre, {
        icon: markIcon(L, container.getAttribute('data-mark')),
        interactive: false,
        keyboard: false
      }).addTo(map)
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 12 })
      container.classList.add('app-profile-map--ready')
    } catch (error) {
      // The map is an extra: the page already says which area is covered.
    }
  }

  // The script is not deferred, but the translation catalog is: wait for it (deferred scripts
  // run before DOMContentLoaded).
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init)
  } else {
    init()
  }
})()

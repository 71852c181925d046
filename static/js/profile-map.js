// Draws the area a provider covers (a circle and/or postcode districts around its area centre)
// from the JSON in #profile-map-data. Without JavaScript or Leaflet, the words on the page say
// the same and the map container stays hidden.
(function () {
  'use strict'

  // Django's JavaScript catalog (/jsi18n/) defines the globals; without it, the English stands.
  function gettext (text) {
    return typeof window.gettext === 'function' ? window.gettext(text) : text
  }

  function init () {
    try {
      var container = document.getElementById('profile-map')
      var source = document.getElementById('profile-map-data')
      if (!container || !source || typeof window.L === 'undefined') return
      var data = JSON.parse(source.textContent)
      if (!data || !data.centre || typeof data.centre.lat !== 'number') return
      var L = window.L
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
      layers.push(L.circleMarker(centre, { radius: 5, weight: 2, fillOpacity: 1 }))
      var group = L.featureGroup(layers).addTo(map)
      map.fitBounds(group.getBounds(), { padding: [20, 20], maxZoom: 12 })
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

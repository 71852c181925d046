// Progressive enhancement for the search results page: draws the results on a
// Leaflet map with clustered markers. Without JavaScript (or without Leaflet,
// or without valid data) the map container stays hidden and the page is just
// the list of results, which always holds the same providers.
//
// Needs, loaded before it as classic scripts (e.g. all three with `defer`):
//   leaflet/leaflet.js (django-leaflet) and
//   vendor/leaflet.markercluster/leaflet.markercluster.js
// Reads <script id="map-data" type="application/json"> and draws into
// <div id="results-map" class="app-results-map" hidden>. The data lists each
// area centre once ("areas": {lat, lon, label}) and every result as
// [area index, name, slug] ("providers"), with "profileUrl" before the slug.
// Optional: elements with a data-results-map-reveal attribute (say, a heading
// above the map, also rendered `hidden`) are shown once the map is drawn.
//
// No inline scripts, styles or event handlers, and no innerHTML with data:
// provider names and the searched-for text are set with textContent.
(function () {
  'use strict'

  // Area-level positions only: never zoom in further than this when fitting
  // the map to the results, even for a single result.
  var FIT_MAX_ZOOM = 13
  var DEFAULT_MAX_ZOOM = 16

  function isFiniteNumber (value) {
    return typeof value === 'number' && isFinite(value)
  }

  function asText (value) {
    return typeof value === 'string' ? value : ''
  }

  function validLatLng (point) {
    return point !== null && typeof point === 'object' &&
      isFiniteNumber(point.lat) && isFiniteNumber(point.lon) &&
      Math.abs(point.lat) <= 90 && Math.abs(point.lon) <= 180
  }

  // Only same-site paths and http(s) links: never javascript: or data: URLs.
  function safeHref (value) {
    if (typeof value !== 'string' || value === '') return null
    try {
      var url = new URL(value, window.location.href)
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
      return url.href
    } catch (error) {
      return null
    }
  }

  function readData () {
    var element = document.getElementById('map-data')
    if (!element) return null
    try {
      var data = JSON.parse(element.textContent)
      return data !== null && typeof data === 'object' ? data : null
    } catch (error) {
      return null
    }
  }

  function element (tagName, className, text) {
    var node = document.createElement(tagName)
    if (className) node.className = className
    if (text) node.textContent = text
    return node
  }

  // One marker per provider, at its area's centre.
  function readMarkers (data) {
    var areas = Array.isArray(data.areas) ? data.areas : []
    var providers = Array.isArray(data.providers) ? data.providers : []
    var base = asText(data.profileUrl)
    var markers = []
    for (var i = 0; i < providers.length; i++) {
      var row = providers[i]
      if (!Array.isArray(row) || row.length < 3) continue
      var area = areas[row[0]]
      if (!validLatLng(area)) continue
      var slug = asText(row[2])
      markers.push({
        lat: area.lat,
        lon: area.lon,
        name: asText(row[1]),
        area: asText(area.label),
        url: base && slug ? safeHref(base + encodeURIComponent(slug) + '/') : null
      })
    }
    return markers
  }

  function popupContent (marker, href) {
    var content = element('div', 'app-results-map__popup')
    var title = element('p', 'govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1')
    var name = asText(marker.name) || 'Provider'
    if (href) {
      var link = element('a', 'govuk-link', name)
      link.href = href
      title.appendChild(link)
    } else {
      title.textContent = name
    }
    content.appendChild(title)
    if (marker.area) {
      content.appendChild(element('p', 'govuk-body-s govuk-!-margin-bottom-0', 'Based in ' + marker.area))
    }
    return content
  }

  function pinIcon (L, name) {
    // The icon's only content is its accessible name: Leaflet gives keyboard
    // focusable markers role="button", and a button is named by its text.
    return L.divIcon({
      className: 'app-results-map__pin',
      html: element('span', 'govuk-visually-hidden', name),
      iconSize: [24, 24],
      iconAnchor: [12, 29],
      popupAnchor: [0, -26]
    })
  }

  // Keyboard users: a popup opened from a focused marker takes focus to its
  // link; Escape in the popup, or its close button, returns focus to the marker.
  function manageFocus (map, marker, content) {
    marker.on('popupopen', function () {
      var icon = marker.getElement()
      var link = content.querySelector('a[href]')
      if (icon && link && document.activeElement === icon) link.focus({ preventScroll: true })
    })
    marker.on('popupclose', function () {
      var icon = marker.getElement()
      var active = document.activeElement
      if (icon && (!active || active === document.body || content.contains(active) ||
          (active.closest && active.closest('.leaflet-popup')))) {
        icon.focus({ preventScroll: true })
      }
    })
    content.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' || event.key === 'Esc') {
        event.preventDefault()
        map.closePopup()
      }
    })
  }

  function render (container, data, L) {
    var centre = validLatLng(data.centre) ? data.centre : null
    var label = centre ? asText(data.centre.label) : ''
    var tiles = data.tiles !== null && typeof data.tiles === 'object' ? data.tiles : {}
    var maxZoom = isFiniteNumber(tiles.maxZoom) && tiles.maxZoom > 0 ? Math.round(tiles.maxZoom) : DEFAULT_MAX_ZOOM
    var markers = readMarkers(data)
    var points = markers.map(function (marker) { return [marker.lat, marker.lon] })
    if (centre) points.push([centre.lat, centre.lon])
    if (points.length === 0) return false

    var reduceMotion = typeof window.matchMedia === 'function' &&
      window.matchMedia('(prefers-reduced-motion: reduce)').matches

    // Leaflet needs a visible container to measure.
    container.hidden = false
    var map
    try {
      map = L.map(container, {
        // markercluster needs a maxZoom on the map, even without a tile layer.
        maxZoom: maxZoom,
        scrollWheelZoom: false,
        zoomAnimation: !reduceMotion,
        fadeAnimation: !reduceMotion,
        markerZoomAnimation: !reduceMotion
      })
      map.attributionControl.setPrefix(false)
      map.fitBounds(L.latLngBounds(points), {
        padding: [32, 32],
        maxZoom: Math.min(FIT_MAX_ZOOM, maxZoom),
        animate: false
      })

      if (typeof tiles.url === 'string' && tiles.url !== '') {
        // The attribution is HTML from the site's settings, not user data.
        L.tileLayer(tiles.url, {
          attribution: asText(tiles.attribution),
          maxZoom: maxZoom
        }).addTo(map)
      }

      var cluster = L.markerClusterGroup({
        showCoverageOnHover: false,
        animate: !reduceMotion
      })
      for (var i = 0; i < markers.length; i++) {
        var name = asText(markers[i].name) || 'Provider'
        var marker = L.marker([markers[i].lat, markers[i].lon], {
          icon: pinIcon(L, name),
          keyboard: true,
          riseOnHover: true
        })
        var content = popupContent(markers[i], markers[i].url)
        marker.bindPopup(content)
        manageFocus(map, marker, content)
        cluster.addLayer(marker)
      }
      map.addLayer(cluster)

      if (centre) {
        var searched = element('span', null, label ? 'You searched for ' + label : 'Your search')
        L.circleMarker([centre.lat, centre.lon], {
          className: 'app-results-map__centre',
          radius: 9,
          weight: 4,
          color: '#0b0c0c',
          fillColor: '#ffffff',
          fillOpacity: 1
        }).bindTooltip(searched, { direction: 'top', offset: [0, -8] }).addTo(map)
      }
    } catch (error) {
      if (map) {
        try { map.remove() } catch (ignored) {}
      }
      container.hidden = true
      return false
    }

    container.setAttribute('role', 'region')
    container.setAttribute('aria-label',
      (label ? 'Map of providers near ' + label + '.' : 'Map of providers.') +
      ' The same providers are listed below.')
    container.setAttribute('data-markers', String(markers.length))
    container.classList.add('app-results-map--ready')
    var reveal = document.querySelectorAll('[data-results-map-reveal]')
    for (var j = 0; j < reveal.length; j++) reveal[j].hidden = false
    return true
  }

  function init () {
    try {
      var container = document.getElementById('results-map')
      var L = window.L
      if (!container || container.classList.contains('app-results-map--ready')) return
      if (!L || typeof L.map !== 'function' || typeof L.markerClusterGroup !== 'function') return
      var data = readData()
      if (!data) return
      render(container, data, L)
    } catch (error) {
      // Never break the rest of the page: the results list is the content.
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init)
  } else {
    init()
  }
})()

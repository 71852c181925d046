// Progressive enhancement for the search results page: a map of the results,
// folded away in a "Map of these providers" panel. Without JavaScript the
// panel stays hidden and the page is the list of results, which always holds
// the same providers.
//
// The page stays small: Leaflet, its styles and the map's data (from the
// panel's data-map-url, a cached URL of its own) are fetched only when the
// panel is opened. It opens by itself on wide screens; on a phone it waits.
// The <script> tag carries the static URLs: data-leaflet-js, data-cluster-js
// and data-styles (space-separated stylesheets).
//
// The data lists each area centre once ("areas": {lat, lon, label}) and every
// result as [area index, name, slug] ("providers"), with "profileUrl" before
// the slug. Pins sit at area centres, never at anyone's base.
//
// No inline scripts, styles or event handlers, and no innerHTML with data:
// provider names and the searched-for text are set with textContent.
(function () {
  'use strict'

  // Django's JavaScript catalog (/jsi18n/) defines the globals; without it, the English stands.
  function gettext (text) {
    return typeof window.gettext === 'function' ? window.gettext(text) : text
  }

  function ngettext (singular, plural, count) {
    if (typeof window.ngettext === 'function') return window.ngettext(singular, plural, count)
    return count === 1 ? singular : plural
  }

  function interpolate (format, values) {
    if (typeof window.interpolate === 'function') return window.interpolate(format, values, true)
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]) })
  }

  var FIT_MAX_ZOOM = 13 // area-level positions only: never zoom in further to fit
  var DEFAULT_MAX_ZOOM = 16
  var WIDE = '(min-width: 40.0625em)'
  var script = document.currentScript

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

  function element (tagName, className, text) {
    var node = document.createElement(tagName)
    if (className) node.className = className
    if (text) node.textContent = text
    return node
  }

  function loadScript (src) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement('script')
      tag.src = src
      tag.onload = resolve
      tag.onerror = reject
      document.head.appendChild(tag)
    })
  }

  function loadStyles (hrefs) {
    hrefs.forEach(function (href) {
      if (!href || document.querySelector('link[href="' + CSS.escape(href) + '"]')) return
      var link = document.createElement('link')
      link.rel = 'stylesheet'
      link.href = href
      document.head.appendChild(link)
    })
  }

  function loadLeaflet () {
    if (window.L && typeof window.L.markerClusterGroup === 'function') return Promise.resolve(window.L)
    loadStyles(asText(script && script.getAttribute('data-styles')).split(' '))
    return loadScript(script.getAttribute('data-leaflet-js'))
      .then(function () { return loadScript(script.getAttribute('data-cluster-js')) })
      .then(function () { return window.L })
  }

  function fetchData (url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('map data ' + response.status)
        return response.json()
      })
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

  function popupContent (marker) {
    var content = element('div', 'app-results-map__popup')
    var title = element('p', 'govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1')
    var name = marker.name || gettext('Provider')
    if (marker.url) {
      var link = element('a', 'govuk-link', name)
      link.href = marker.url
      title.appendChild(link)
    } else {
      title.textContent = name
    }
    content.appendChild(title)
    if (marker.area) {
      content.appendChild(element('p', 'govuk-body-s govuk-!-margin-bottom-0',
        interpolate(gettext('Based in %(area)s'), { area: marker.area })))
    }
    return content
  }

  // A focusable marker is a button named by its text, so the icon's text is
  // what a screen reader says: the provider's name, or for a cluster "3
  // providers in Chelmsford (CM1 1)". The drawn count is hidden from it.
  function pinIcon (L, name) {
    return L.divIcon({
      className: 'app-results-map__pin',
      html: element('span', 'govuk-visually-hidden', name),
      iconSize: [24, 24],
      iconAnchor: [12, 29],
      popupAnchor: [0, -26]
    })
  }

  function clusterIcon (L, cluster) {
    var children = cluster.getAllChildMarkers()
    var counts = {}
    var top = ''
    for (var i = 0; i < children.length; i++) {
      var area = children[i].options.areaLabel || ''
      counts[area] = (counts[area] || 0) + 1
      if (!top || counts[area] > counts[top]) top = area
    }
    var places = Object.keys(counts).length
    var count = children.length
    var words
    if (!top) {
      words = ngettext('%(count)s provider in this area', '%(count)s providers in this area', count)
    } else if (places === 1) {
      words = ngettext('%(count)s provider in %(place)s', '%(count)s providers in %(place)s', count)
    } else {
      words = ngettext('%(count)s provider around %(place)s', '%(count)s providers around %(place)s', count)
    }
    words = interpolate(words, { count: count, place: top })
    var html = element('span')
    var drawn = element('span', null, String(children.length))
    drawn.setAttribute('aria-hidden', 'true')
    html.appendChild(drawn)
    html.appendChild(element('span', 'govuk-visually-hidden', words))
    var size = children.length < 10 ? 34 : children.length < 100 ? 40 : 46
    return L.divIcon({ className: 'app-results-map__cluster', html: html, iconSize: [size, size] })
  }

  // Keyboard users: a popup opened from a focused marker takes focus to its
  // link; Escape in the popup, or its close button, returns focus to the marker.
  function manageFocus (map, marker, content) {
    marker.on('popupopen', function (event) {
      var popup = event.popup && event.popup.getElement()
      var close = popup && popup.querySelector('.leaflet-popup-close-button')
      if (close) close.setAttribute('aria-label', gettext('Close popup'))
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

  // Tiles come from another service and may be blocked or offline: say so in
  // words rather than leave a grey box.
  function watchTiles (layer, say) {
    var loaded = 0
    var failed = 0
    layer.on('tileload', function () { loaded++ })
    layer.on('tileerror', function () {
      failed++
      if (loaded === 0 && failed === 1) {
        say(gettext('The map background could not load, so the map shows the providers without streets. Every provider is also in the list of results.'))
      }
    })
  }

  function render (container, data, L, say) {
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

    L.Control.Zoom.mergeOptions({ zoomInTitle: gettext('Zoom in'), zoomOutTitle: gettext('Zoom out') })
    var map = L.map(container, {
      maxZoom: maxZoom, // markercluster needs one, even without a tile layer
      scrollWheelZoom: false,
      zoomAnimation: !reduceMotion,
      fadeAnimation: !reduceMotion,
      markerZoomAnimation: !reduceMotion
    })
    try {
      map.attributionControl.setPrefix(false)
      map.fitBounds(L.latLngBounds(points), {
        padding: [32, 32],
        maxZoom: Math.min(FIT_MAX_ZOOM, maxZoom),
        animate: false
      })
      if (typeof tiles.url === 'string' && tiles.url !== '') {
        // The attribution is HTML from the site's settings, not user data.
        var layer = L.tileLayer(tiles.url, { attribution: asText(tiles.attribution), maxZoom: maxZoom })
        watchTiles(layer, say)
        layer.addTo(map)
      }
      var cluster = L.markerClusterGroup({
        showCoverageOnHover: false,
        animate: !reduceMotion,
        iconCreateFunction: function (group) { return clusterIcon(L, group) }
      })
      for (var i = 0; i < markers.length; i++) {
        var name = markers[i].name || gettext('Provider')
        var marker = L.marker([markers[i].lat, markers[i].lon], {
          icon: pinIcon(L, name),
          keyboard: true,
          riseOnHover: true,
          areaLabel: markers[i].area
        })
        var content = popupContent(markers[i])
        marker.bindPopup(content)
        manageFocus(map, marker, content)
        cluster.addLayer(marker)
      }
      map.addLayer(cluster)
      if (centre) {
        // Drawn only: the searched place is named in the map's label, not a tab stop.
        L.circleMarker([centre.lat, centre.lon], {
          className: 'app-results-map__centre',
          interactive: false,
          radius: 9,
          weight: 4,
          color: '#0b0c0c',
          fillColor: '#ffffff',
          fillOpacity: 1
        }).addTo(map)
      }
    } catch (error) {
      try { map.remove() } catch (ignored) {}
      return false
    }
    container.setAttribute('role', 'region')
    container.setAttribute('aria-label', label
      ? interpolate(gettext('Map of providers near %(place)s, marked with a circle. The same providers are in the list of results.'), { place: label })
      : gettext('Map of providers. The same providers are in the list of results.'))
    container.setAttribute('data-markers', String(markers.length))
    container.classList.add('app-results-map--ready')
    return true
  }

  function init () {
    var panel = document.querySelector('.app-map-panel[data-map-url]')
    var container = document.getElementById('results-map')
    if (!panel || !container || !script || typeof window.fetch !== 'function' || !window.Promise) return
    var status = panel.querySelector('.app-results-map__status')
    function say (words) { if (status) status.textContent = words }
    var started = false

    function open () {
      if (started || !panel.open) return
      started = true
      say(gettext('Loading the map…'))
      Promise.all([loadLeaflet(), fetchData(panel.getAttribute('data-map-url'))])
        .then(function (loaded) {
          say('')
          if (!render(container, loaded[1], loaded[0], say)) throw new Error('no map')
        })
        .catch(function () {
          container.hidden = true
          say(gettext('The map could not load. Every provider is in the list of results.'))
        })
    }

    panel.hidden = false
    panel.addEventListener('toggle', open)
    if (window.matchMedia && window.matchMedia(WIDE).matches) panel.open = true
    open()
  }

  try {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', init)
    } else {
      init()
    }
  } catch (error) {
    // Never break the rest of the page: the results list is the content.
  }
})()

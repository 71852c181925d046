// Progressive enhancement for the search results page: a map of the results.
// Without JavaScript the map panel and the "List / Map" switch stay hidden and
// the page is the list of results, which always holds the same providers.
//
// The page stays small: Leaflet, its styles and the map's data (from the
// panel's data-map-url, a cached URL of its own) are fetched only when the map
// is shown. On wide screens it is shown beside the list at once; on a phone
// the "List / Map" switch at the top of the results swaps the list for it.
// The <script> tag carries the static URLs: data-leaflet-js, data-cluster-js
// and data-styles (space-separated stylesheets).
//
// The data (search.selectors.map_data) lists each area centre once ("areas":
// {lat, lon, label, distance}), each date, cost and check name once, the words
// of the cards ("words"), and every result as [area, name, slug, state, cost,
// Direct Payments, checks, taken down on, new clients, confirmed on], its
// checks as [check, state, date]. New clients is the provider's own answer on
// the day (0 not confirmed recently, 1 taking, 2 waiting list, 3 not taking),
// with the date they confirmed it only while it is current; a marker of one
// taking new clients carries a "+" badge (explained in the key).
// A state is 0 (run out: the grace period), 1 (runs out soon) or 2 (current),
// worked out on the server by the rules the cards use. Pins sit at area
// centres, never at anyone's base. Each marker's shape and words come from the
// map key on the page (providers/_map_key.html), as on a provider's profile.
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
  var WIDE = '(min-width: 48.0625em)' // the list and the map side by side (app.scss)
  var SVG = 'http://www.w3.org/2000/svg'
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

  function words (data) {
    return data.words !== null && typeof data.words === 'object' ? data.words : {}
  }

  function pick (list, index) {
    return Array.isArray(list) && typeof index === 'number' && index >= 0 ? asText(list[index]) : ''
  }

  function state (value) {
    return value === 0 || value === 1 || value === 2 ? value : 0
  }

  function newClients (value) {
    return value === 1 || value === 2 || value === 3 ? value : 0
  }

  // One marker per provider, at its area's centre.
  function readMarkers (data) {
    var areas = Array.isArray(data.areas) ? data.areas : []
    var providers = Array.isArray(data.providers) ? data.providers : []
    var base = asText(data.profileUrl)
    var markers = []
    for (var i = 0; i < providers.length; i++) {
      var row = providers[i]
      if (!Array.isArray(row) || row.length < 8) continue
      var area = areas[row[0]]
      if (!validLatLng(area)) continue
      var slug = asText(row[2])
      var checks = []
      var rows = Array.isArray(row[6]) ? row[6] : []
      for (var j = 0; j < rows.length; j++) {
        if (!Array.isArray(rows[j]) || rows[j].length < 3) continue
        checks.push({ name: pick(data.checks, rows[j][0]), state: state(rows[j][1]), date: pick(data.dates, rows[j][2]) })
      }
      markers.push({
        lat: area.lat,
        lon: area.lon,
        name: asText(row[1]),
        area: asText(area.label),
        distance: asText(area.distance),
        state: state(row[3]),
        cost: pick(data.costs, row[4]),
        payments: row[5] === 1,
        checks: checks,
        takenDown: pick(data.dates, row[7]),
        newClients: newClients(row[8]),
        newClientsSaid: pick(data.dates, row[9]),
        url: base && slug ? safeHref(base + encodeURIComponent(slug) + '/') : null
      })
    }
    return markers
  }

  // The words for a listing's state, from the map key beside the map (the same
  // key, and so the same words, as on its profile).
  function markWords (value) {
    var words = document.querySelector('.app-map-key [data-mark="' + value + '"] .app-map-key__words')
    return words ? words.textContent : ''
  }

  function markSymbol (value, taking) {
    var svg = document.createElementNS(SVG, 'svg')
    svg.setAttribute('class', 'app-mark')
    svg.setAttribute('aria-hidden', 'true')
    svg.setAttribute('focusable', 'false')
    svg.setAttribute('width', '28')
    svg.setAttribute('height', '28')
    var use = document.createElementNS(SVG, 'use')
    use.setAttribute('href', '#app-mark-' + value)
    svg.appendChild(use)
    if (taking) { // the "+" badge of a listing taking new clients, in the same box
      var badge = document.createElementNS(SVG, 'use')
      badge.setAttribute('href', '#app-mark-taking')
      svg.appendChild(badge)
    }
    return svg
  }

  function newClientsWords (marker, said) {
    return pick(said.newClients, marker.newClients)
  }

  function popupContent (marker, said) {
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
      var based = marker.distance
        ? interpolate(asText(said.basedAway), { area: marker.area, distance: marker.distance })
        : interpolate(asText(said.basedIn), { area: marker.area })
      content.appendChild(element('p', 'govuk-body-s govuk-!-margin-bottom-2', based))
    }
    var overall = element('p', 'govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-1 app-results-map__state')
    overall.appendChild(markSymbol(marker.state))
    overall.appendChild(document.createTextNode(' ' + markWords(marker.state)))
    content.appendChild(overall)
    if (marker.state === 0 && marker.takenDown) {
      var warning = element('p', 'govuk-body-s govuk-!-margin-bottom-1 app-results-map__warning')
      warning.appendChild(element('span', 'govuk-visually-hidden', gettext('Warning:') + ' '))
      warning.appendChild(document.createTextNode(interpolate(asText(said.takedown), { date: marker.takenDown })))
      content.appendChild(warning)
    }
    var list = element('ul', 'govuk-body-s govuk-!-margin-bottom-2 app-results-map__checks')
    for (var i = 0; i < marker.checks.length; i++) {
      var check = marker.checks[i]
      var item = element('li', 'app-results-map__check app-results-map__check--' + check.state)
      item.appendChild(document.createTextNode(check.name + ': '))
      item.appendChild(element('strong', null, pick(said.states, check.state)))
      if (check.date) {
        item.appendChild(document.createTextNode(', ' + interpolate(pick(said.until, check.state), { date: check.date })))
      }
      list.appendChild(item)
    }
    content.appendChild(list)
    var taking = element('p', 'govuk-body-s govuk-!-margin-bottom-1 app-results-map__new-clients')
    taking.appendChild(document.createTextNode(asText(said.newClientsLabel) + ': '))
    taking.appendChild(element('strong', null, newClientsWords(marker, said)))
    if (marker.newClientsSaid) {
      taking.appendChild(document.createTextNode('. ' + interpolate(asText(said.newClientsSaid), { date: marker.newClientsSaid })))
    }
    content.appendChild(taking)
    var facts = asText(said.cost) + ': ' + (marker.cost || '') + '. ' + pick(said.payments, marker.payments ? 1 : 0)
    content.appendChild(element('p', 'govuk-body-s govuk-!-margin-bottom-0', facts))
    return content
  }

  // A focusable marker is a button named by its text, so the icon's text is
  // what a screen reader says: the provider's name and its state, or for a
  // cluster "3 providers in Chelmsford (CM1 1), 2 with every check current".
  // The drawn shape and count are hidden from it.
  function pinIcon (L, marker, said) {
    var html = element('span')
    html.appendChild(markSymbol(marker.state, marker.newClients === 1))
    var name = (marker.name || gettext('Provider')) + ': ' + markWords(marker.state)
    if (marker.newClients === 1) name += '. ' + newClientsWords(marker, said)
    html.appendChild(element('span', 'govuk-visually-hidden', name))
    return L.divIcon({
      className: 'app-results-map__pin app-results-map__pin--' + marker.state,
      html: html,
      iconSize: [28, 28],
      iconAnchor: [14, 14],
      popupAnchor: [0, -12]
    })
  }

  function clusterIcon (L, cluster) {
    var children = cluster.getAllChildMarkers()
    var counts = {}
    var top = ''
    var current = 0
    for (var i = 0; i < children.length; i++) {
      var area = children[i].options.areaLabel || ''
      counts[area] = (counts[area] || 0) + 1
      if (!top || counts[area] > counts[top]) top = area
      if (children[i].options.state === 2) current++
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
    words = interpolate(words, { count: count, place: top }) + ', ' +
      interpolate(ngettext('%(current)s with every check current', '%(current)s with every check current', current), { current: current })
    var html = element('span')
    var text = count + ' · ' + current + ' ✓'
    var drawn = element('span', 'app-results-map__cluster-count', text)
    drawn.setAttribute('aria-hidden', 'true')
    html.appendChild(drawn)
    html.appendChild(element('span', 'govuk-visually-hidden', words))
    var width = Math.max(44, 16 + 8 * text.length)
    return L.divIcon({ className: 'app-results-map__cluster', html: html, iconSize: [width, 32] })
  }

  // Popups fit the map at any width: no wider than the map less a margin, and
  // scrolling inside when taller than it. Measured when each one opens, since
  // the map's size changes with the window and the "List / Map" switch.
  function fitPopup (container, popup) {
    var width = container.clientWidth
    var height = container.clientHeight
    popup.options.maxWidth = Math.max(140, Math.min(320, width - 80))
    popup.options.minWidth = Math.min(200, popup.options.maxWidth)
    popup.options.maxHeight = Math.max(140, height - 120)
    popup.update()
  }

  // Keyboard users: a popup opened from a focused marker takes focus to its
  // link; Escape in the popup, or its close button, returns focus to the marker.
  function manageFocus (map, marker, content) {
    marker.on('popupopen', function (event) {
      if (event.popup) fitPopup(map.getContainer(), event.popup)
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
    if (points.length === 0) return null

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
      var said = words(data)
      for (var i = 0; i < markers.length; i++) {
        var marker = L.marker([markers[i].lat, markers[i].lon], {
          icon: pinIcon(L, markers[i], said),
          keyboard: true,
          riseOnHover: true,
          areaLabel: markers[i].area,
          state: markers[i].state
        })
        var content = popupContent(markers[i], said)
        // Panned clear of the zoom buttons in the top left corner.
        marker.bindPopup(content, {
          autoPanPaddingTopLeft: [12, 84],
          autoPanPaddingBottomRight: [12, 12],
          keepInView: true
        })
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
      return null
    }
    container.setAttribute('role', 'region')
    container.setAttribute('aria-label', label
      ? interpolate(gettext('Map of providers near %(place)s, marked with a circle. The same providers are in the list of results.'), { place: label })
      : gettext('Map of providers. The same providers are in the list of results.'))
    container.setAttribute('data-markers', String(markers.length))
    container.classList.add('app-results-map--ready')
    return map
  }

  function init () {
    var panel = document.querySelector('.app-map-panel[data-map-url]')
    var container = document.getElementById('results-map')
    if (!panel || !container || !script || typeof window.fetch !== 'function' || !window.Promise) return
    var status = panel.querySelector('.app-results-map__status')
    var layout = document.querySelector('.app-results-layout')
    var toggle = document.querySelector('.app-view-switch')
    var buttons = toggle ? toggle.querySelectorAll('[data-view]') : []
    var wide = window.matchMedia ? window.matchMedia(WIDE) : { matches: true }
    var view = 'list' // on a phone: the list, or the map instead of it
    var map = null
    var started = false
    function say (words) { if (status) status.textContent = words }

    function load () {
      if (started) {
        if (map) map.invalidateSize()
        return
      }
      started = true
      say(gettext('Loading the map…'))
      Promise.all([loadLeaflet(), fetchData(panel.getAttribute('data-map-url'))])
        .then(function (loaded) {
          say('')
          map = render(container, loaded[1], loaded[0], say)
          if (!map) throw new Error('no map')
        })
        .catch(function () {
          container.hidden = true
          say(gettext('The map could not load. Every provider is in the list of results.'))
        })
    }

    // Wide: the map beside the list. Narrow: whichever the switch says.
    function show () {
      var mapShown = wide.matches || view === 'map'
      panel.hidden = !mapShown
      if (layout) layout.classList.toggle('app-results-layout--map', !wide.matches && view === 'map')
      // One Tab stop for the switch: the arrow keys move between its buttons.
      for (var i = 0; i < buttons.length; i++) {
        var chosen = buttons[i].getAttribute('data-view') === view
        buttons[i].setAttribute('aria-pressed', String(chosen))
        buttons[i].tabIndex = chosen ? 0 : -1
      }
      if (mapShown) load()
    }

    if (toggle) {
      toggle.hidden = false
      toggle.addEventListener('click', function (event) {
        var button = event.target.closest && event.target.closest('[data-view]')
        if (!button) return
        view = button.getAttribute('data-view') === 'map' ? 'map' : 'list'
        show()
      })
      toggle.addEventListener('keydown', function (event) {
        var keys = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1 }
        if (!(event.key in keys) || !buttons.length) return
        event.preventDefault()
        var at = Array.prototype.indexOf.call(buttons, document.activeElement)
        var next = buttons[(at + keys[event.key] + buttons.length) % buttons.length]
        for (var i = 0; i < buttons.length; i++) buttons[i].tabIndex = buttons[i] === next ? 0 : -1
        next.focus()
      })
    }
    if (typeof wide.addEventListener === 'function') wide.addEventListener('change', show)
    show()
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

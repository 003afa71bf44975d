// The volunteer's page, enhanced: switch between the two orderings without a reload, and link each
// seat on the map to its card (hover or focus one to highlight the other). Without JavaScript the
// page works as served: the ordering links reload it, and map markers are in-page links.
(function () {
  "use strict";
  const results = document.querySelector(".results");
  if (!results) return;

  const links = document.querySelectorAll(".orderings a[data-order]");
  const orderField = document.querySelector('.lookup input[name="order"]');

  function showOrder(order) {
    results.dataset.order = order;
    for (const panel of document.querySelectorAll(".ranking")) {
      panel.hidden = panel.dataset.order !== order;
    }
    for (const link of links) {
      if (link.dataset.order === order) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
    if (orderField) orderField.value = order;
  }

  for (const link of links) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      showOrder(link.dataset.order);
      history.replaceState(null, "", link.href);
    });
  }

  function highlight(ons, on) {
    for (const el of document.querySelectorAll(`[data-ons="${CSS.escape(ons)}"]`)) {
      el.classList.toggle("highlight", on);
    }
  }

  for (const el of document.querySelectorAll(".seat-card, .marker, .seat-dot.marginal")) {
    const ons = el.dataset.ons;
    if (!ons) continue;
    el.addEventListener("mouseenter", () => highlight(ons, true));
    el.addEventListener("mouseleave", () => highlight(ons, false));
    el.addEventListener("focusin", () => highlight(ons, true));
    el.addEventListener("focusout", () => highlight(ons, false));
  }

  // A marker jumps to its card; make sure that card's ordering is the one showing.
  for (const marker of document.querySelectorAll(".marker")) {
    marker.addEventListener("click", () => showOrder(marker.dataset.order));
  }

  // A marginal seat clicked on either map: its card if it is listed (in the ordering showing, else
  // the other), otherwise its name and result under the maps.
  const detail = document.querySelector(".seat-detail");
  for (const dot of document.querySelectorAll(".seat-dot.marginal")) {
    dot.addEventListener("click", () => {
      const ons = dot.dataset.ons;
      const card =
        document.getElementById(`seat-${results.dataset.order}-${ons}`) ||
        document.querySelector(`.seat-card[data-ons="${CSS.escape(ons)}"]`);
      if (card) {
        showOrder(card.closest(".ranking").dataset.order);
        location.hash = card.id;
      } else if (detail) {
        detail.textContent = `${dot.querySelector("title").textContent}: not among the seats listed here.`;
        detail.hidden = false;
      }
    });
  }
})();

// The coastline: Natural Earth's land (world-atlas, served from node_modules), projected exactly as
// the server placed the dots (equirectangular, longitudes scaled by the cosine of the middle
// latitude) and clipped to each map. Without JavaScript, or if it fails to load, the dots remain.
(function () {
  "use strict";
  const script = document.currentScript || document.querySelector("script[data-land]");
  const url = script && script.dataset.land;
  const maps = document.querySelectorAll("svg.seat-map[data-projection]");
  if (!url || !maps.length || !window.d3 || !window.topojson) return;

  fetch(url)
    .then((reply) => (reply.ok ? reply.json() : Promise.reject(new Error(reply.statusText))))
    .then((topology) => {
      const land = topojson.feature(topology, topology.objects.land);
      for (const svg of maps) drawCoast(svg, land);
    })
    .catch(() => {});

  function drawCoast(svg, land) {
    const [west, north, cos, scale] = svg.dataset.projection.split(" ").map(Number);
    const box = svg.viewBox.baseVal;
    const place = d3.geoTransform({
      point(lon, lat) {
        this.stream.point((lon - west) * cos * scale, (north - lat) * scale);
      },
    });
    const clip = d3.geoClipRectangle(-4, -4, box.width + 4, box.height + 4);
    const path = d3.geoPath({ stream: (out) => place.stream(clip(out)) });
    const shape = document.createElementNS("http://www.w3.org/2000/svg", "path");
    shape.setAttribute("class", "land");
    shape.setAttribute("d", path(land) || "");
    svg.querySelector("g.coast").appendChild(shape);
  }
})();

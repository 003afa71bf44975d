// The bird's-eye view, enhanced: a seat clicked on the map shows its figures under the map (and
// marks its row), and the table sorts by any column. Without JavaScript each seat on the map is a
// link to its row in the table, which is served in its natural order (target seats, neediest first).
(function () {
  "use strict";
  const panel = document.querySelector(".seat-figures");
  const script = document.currentScript || document.querySelector("script[data-shifts]");
  const shifts = script ? script.dataset.shifts : "";

  function line(label, value) {
    const row = document.createElement("p");
    const strong = document.createElement("strong");
    strong.textContent = `${label}: `;
    row.append(strong, value);
    return row;
  }

  function show(row) {
    if (!panel || !row) return;
    const d = row.dataset;
    const heading = document.createElement("h3");
    heading.textContent = d.name;
    const lines = [heading];
    if (d.held) lines.push(line("Held by", `${d.held}, majority ${d.majority}%`));
    lines.push(line("Need", d.need));
    if (d.places !== undefined) {
      lines.push(line("Volunteers", `${d.places} of ${d.target} wanted`));
      lines.push(line("Events", d.events));
      lines.push(line("Pledges", d.pledges));
      if (shifts) lines.push(line("Calling shifts", `${shifts} booked (whole campaign)`));
    } else {
      lines.push(line("Not a target seat", "the campaign has no figures here"));
    }
    panel.replaceChildren(...lines);
    panel.dataset.ons = d.ons;
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });  // under the map: on a short screen, below the fold
    for (const other of document.querySelectorAll("tr.chosen, .overview-seat.chosen")) other.classList.remove("chosen");
    row.classList.add("chosen");
    for (const dot of document.querySelectorAll(`.overview-seat[data-ons="${CSS.escape(d.ons)}"]`)) dot.classList.add("chosen");
  }

  for (const seat of document.querySelectorAll(".overview-seat")) {
    seat.addEventListener("click", (event) => {
      event.preventDefault();
      show(document.getElementById(`row-${seat.dataset.ons}`));
    });
  }

  // Sorting: each heading is a button; a second press reverses the order.
  const table = document.querySelector("table.sortable");
  if (!table) return;
  const headings = Array.from(table.querySelectorAll("thead th"));
  headings.forEach((th, column) => {
    th.querySelector("button").addEventListener("click", () => {
      const descending = th.getAttribute("aria-sort") !== "descending";
      const numeric = th.dataset.kind === "number";
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      const value = (row) => row.cells[column].dataset.value;
      rows.sort((a, b) => {
        const order = numeric ? Number(value(a)) - Number(value(b)) : value(a).localeCompare(value(b));
        return descending ? -order : order;
      });
      body.append(...rows);
      for (const other of headings) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    });
  });
})();

// The campaign form's target seats: search as you type (by name or ONS code), or add every
// marginal within a distance of a postcode (the nearest-marginal API). The multiple select stays
// in the form and is what is sent; without JavaScript it is the picker.
const select = document.getElementById("seats");

function squash(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function element(tag, props = {}, children = []) {
  const made = Object.assign(document.createElement(tag), props);
  made.append(...children);
  return made;
}

if (select) {
  const options = [...select.options].map((option) => ({ option, key: squash(`${option.text} ${option.value}`) }));
  const search = element("input", { type: "search", id: "seat-search", autocomplete: "off", placeholder: "e.g. Bristol, or E14001126" });
  const results = element("ul", { id: "seat-results", className: "seat-results" });
  const chosen = element("ul", { id: "seats-chosen", className: "seats-chosen" });
  const count = element("p", { id: "seats-count", className: "muted" });
  const postcode = element("input", { id: "near-postcode", autocomplete: "postal-code", placeholder: "e.g. BS1 4DJ or SW9", size: 10 });
  const km = element("input", { id: "near-km", type: "number", min: 1, max: 200, value: 25, size: 4 });
  const add = element("button", { type: "button", className: "secondary", id: "near-add", textContent: "Add these marginals" });
  const status = element("p", { id: "near-status", role: "status" });
  search.setAttribute("aria-controls", "seat-results");

  const showChosen = () => {
    const picked = options.filter(({ option }) => option.selected);
    count.textContent = picked.length === 1 ? "1 seat chosen" : `${picked.length} seats chosen`;
    chosen.replaceChildren(
      ...picked.map(({ option }) =>
        element("li", {}, [
          `${option.text} `,
          element("button", {
            type: "button",
            className: "link-button",
            textContent: "remove",
            ariaLabel: `Remove ${option.text}`,
            onclick: () => {
              option.selected = false;
              refresh();
            },
          }),
        ]),
      ),
    );
  };

  const showResults = () => {
    const words = squash(search.value).split(/\s+/).filter(Boolean);
    if (!words.length) {
      results.replaceChildren();
      return;
    }
    const found = options.filter(({ key }) => words.every((word) => key.includes(word))).slice(0, 12);
    results.replaceChildren(
      ...(found.length
        ? found.map(({ option }) =>
            element("li", {}, [
              element("button", {
                type: "button",
                className: option.selected ? "seat-choice picked" : "seat-choice",
                textContent: `${option.selected ? "✓ " : ""}${option.text} · ${option.value}`,
                ariaPressed: String(option.selected),
                onclick: () => {
                  option.selected = !option.selected;
                  refresh();
                },
              }),
            ]),
          )
        : [element("li", { className: "muted", textContent: "No seat matches." })]),
    );
  };

  function refresh() {
    showChosen();
    showResults();
  }

  async function addNearby() {
    const distance = Number(km.value);
    if (!postcode.value.trim() || !(distance > 0)) {
      status.textContent = "Give a postcode and a distance in km.";
      return;
    }
    status.textContent = "Looking…";
    const query = new URLSearchParams({ postcode: postcode.value, limit: "50", order: "distance" });
    const reply = await fetch(`/api/marginals/nearest?${query}`, { headers: { Accept: "application/json" } });
    const body = await reply.json().catch(() => ({}));
    if (!reply.ok) {
      status.textContent = body.error || "The look-up failed; try again.";
      return;
    }
    const near = body.seats.filter((seat) => seat.distance_km <= distance).map((seat) => seat.ons_code);
    let added = 0;
    for (const { option } of options) {
      if (near.includes(option.value) && !option.selected) {
        option.selected = true;
        added += 1;
      }
    }
    const place = body.location.postcode;
    status.textContent = near.length
      ? `${near.length} marginal seat${near.length === 1 ? "" : "s"} within ${distance} km of ${place}; ${added} added.`
      : `No marginal seat within ${distance} km of ${place}.`;
    refresh();
  }

  search.addEventListener("input", showResults);
  select.addEventListener("change", refresh);
  add.addEventListener("click", addNearby);
  postcode.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      addNearby();
    }
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // never submits the whole form
  });

  select.hidden = true;
  const hint = document.getElementById("seats-hint");
  if (hint) hint.textContent = "The constituencies this phone bank calls for: find them below.";
  select.after(
    element("div", { className: "seat-picker" }, [
      element("label", { htmlFor: "seat-search", textContent: "Find a seat by name or code" }),
      search,
      results,
      element("div", { className: "near" }, [
        element("label", { htmlFor: "near-postcode", textContent: "Or add the marginals near a postcode:" }),
        postcode,
        element("label", { htmlFor: "near-km", textContent: "within (km)" }),
        km,
        add,
      ]),
      status,
      count,
      chosen,
    ]),
  );
  refresh();
}

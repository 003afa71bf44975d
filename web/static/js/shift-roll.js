// The dashboard's calling-shift panel: booked, present and missing. It reads the roll again when a
// seat of the campaign moves (the dashboard's own socket says so), at most once a second.
const panel = document.getElementById("shift-roll");

function show(roll) {
  const field = (name) => panel.querySelector(`[data-roll="${name}"]`);
  if (!roll || !field("present")) { return; }
  field("when").textContent = roll.when;
  field("booked").textContent = String(roll.booked);
  field("present").textContent = String(roll.present);
  field("missing").textContent = String(roll.missing);
  const list = field("volunteers");
  list.replaceChildren(...roll.volunteers.map((person) => {
    const item = document.createElement("li");
    item.dataset.status = person.status;
    item.textContent = `${person.name}: ${person.status}`;
    return item;
  }));
}

let waiting = null;
function reread() {
  if (waiting) { return; }
  waiting = setTimeout(async () => {
    waiting = null;
    const reply = await fetch(panel.dataset.rollUrl, { headers: { Accept: "application/json" } });
    if (reply.ok) { show((await reply.json()).shift); }
  }, 1000);
}

function follow(tries = 0) {
  const socket = window.marginalDashboard && window.marginalDashboard.socket;
  if (socket) { socket.on("seat", reread); socket.on("connect", reread); return; }
  if (tries < 50) { setTimeout(() => follow(tries + 1), 100); }
}

if (panel) { follow(); }

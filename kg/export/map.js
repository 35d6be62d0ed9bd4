// The script of kg's maps (flows.html, actors.html, kg map --focus), inlined after DATA.
// Every piece of document text reaches the page through textContent or text nodes, never as
// HTML. The page writes what a test needs to read into <body data-*>: the labels drawn and
// their boxes, nodes outside the canvas, arrows shown, the flow whose document is open.
const FLOWS = DATA.kind === "flows";
const ARROWS = DATA.kind !== "actors";
const container = document.getElementById("net");
const details = document.getElementById("details");
const body = document.body;
const byId = new Map(DATA.nodes.map(n => [n.id, n]));
const edgeData = DATA.edges.map((e, i) => Object.assign({id: "e" + i}, e));
const edgeById = new Map(edgeData.map(e => [e.id, e]));
const neighbours = new Map(DATA.nodes.map(n => [n.id, new Set()]));
for (const e of DATA.edges) { neighbours.get(e.from).add(e.to); neighbours.get(e.to).add(e.from); }

const nodes = new vis.DataSet(DATA.nodes.map(n => Object.assign({}, n, {
  label: undefined, title: undefined,
  color: {background: n.color, border: "#ffffff", highlight: {background: n.color, border: "#000000"},
          hover: {background: n.color, border: "#000000"}}})));
const edges = new vis.DataSet(edgeData.map(e => Object.assign({}, e, {
  title: undefined, color: {color: e.color, highlight: e.color, hover: e.color, opacity: 0.9}})));
const options = {
  physics: false, layout: {improvedLayout: false},
  interaction: {hover: true, tooltipDelay: 3600000, hideEdgesOnDrag: DATA.edges.length > 1500},
  nodes: {borderWidth: 1, borderWidthSelected: 2, font: {size: 0}},
  edges: {smooth: FLOWS ? {type: "curvedCW", roundness: 0.15} : false,
          arrows: {to: {enabled: ARROWS, scaleFactor: 0.45}},
          selectionWidth: w => w * 0.8, hoverWidth: w => w * 0.5},
};
const network = new vis.Network(container, {nodes, edges}, options);

// ---- state: types ticked, years shown, the actor in focus --------------------------------
const state = {types: new Set(DATA.nodes.map(n => n.kgType)), range: DATA.range ? DATA.range.slice() : null,
               focus: null, centre: null};
let hidden = new Map();          // node id -> hidden
let roles = {}, roleCounts = {};  // country code -> main role / counts, in the years shown

function flowShown(fid) {
  const f = DATA.flows && DATA.flows[fid];
  if (!state.range || !f || f.y === null || f.y === undefined) return true;
  return f.y >= state.range[0] && f.y <= state.range[1];
}

function rangeText() {
  if (!state.range) return "";
  const [a, b] = state.range;
  return a === b ? ", " + a : ", " + a + "\u2013" + b;
}

function update() {
  hidden = new Map();
  for (const n of DATA.nodes) {
    let show = state.types.has(n.kgType);
    if (!FLOWS) show = show && (state.focus ? state.focus.has(n.id) : Boolean(n.kgTop));
    hidden.set(n.id, !show);
  }
  const touched = new Set(), changes = [];
  let shown = 0;
  for (const e of edgeData) {
    let show = !hidden.get(e.from) && !hidden.get(e.to);
    if (show && FLOWS) show = e.kgFlows.some(flowShown);
    if (show) { shown++; touched.add(e.from); touched.add(e.to); }
    changes.push({id: e.id, hidden: !show});
  }
  if (FLOWS) for (const n of DATA.nodes) if (!touched.has(n.id)) hidden.set(n.id, true);
  nodes.update(DATA.nodes.map(n => ({id: n.id, hidden: hidden.get(n.id)})));
  edges.update(changes);
  if (FLOWS) computeRoles();
  const visibleNodes = DATA.nodes.filter(n => !hidden.get(n.id)).length;
  document.getElementById("count").textContent = visibleNodes + " of " + DATA.nodes.length + " shown, "
    + shown + " " + (FLOWS ? "arrows" : "links");
  body.dataset.edges = String(shown);
  body.dataset.nodes = String(visibleNodes);
  const title = DATA.title + rangeText() + DATA.note;
  document.getElementById("heading").textContent = title;
  document.title = title;
}

function computeRoles() {
  roleCounts = {};
  const add = (code, role) => {
    if (!code) return;
    const c = roleCounts[code] || (roleCounts[code] = {source: 0, transit: 0, destination: 0});
    c[role]++;
  };
  for (const fid of Object.keys(DATA.flows || {})) {
    if (!flowShown(fid)) continue;
    const f = DATA.flows[fid];
    add(f.sc, "source"); add(f.dc, "destination");
    for (const t of f.tc) add(t, "transit");
  }
  roles = {};
  for (const [code, c] of Object.entries(roleCounts)) {
    // the most flows; a tie goes to destination, then source (what analysts ask first)
    roles[code] = ["destination", "source", "transit"].reduce((best, r) => c[r] > c[best] ? r : best, "destination");
  }
}

// ---- the basemap, under the network, in the nodes' projection ----------------------------
let land = null;
function buildLand() {
  land = [];
  const step = DATA.basemap.step, k = DATA.scale * step;
  for (const code of Object.keys(DATA.basemap.countries)) {
    const path = new Path2D();
    for (const r of DATA.basemap.countries[code]) {
      let x = r[0], y = r[1];
      path.moveTo(x * k, -y * k);
      for (let i = 2; i < r.length; i += 2) { x += r[i]; y += r[i + 1]; path.lineTo(x * k, -y * k); }
      path.closePath();
    }
    land.push([code, path]);
  }
}
network.on("beforeDrawing", ctx => {
  if (!DATA.basemap) return;
  if (!land) buildLand();
  ctx.save();
  ctx.lineWidth = 0.8 / network.getScale();
  ctx.strokeStyle = DATA.outline;
  ctx.lineJoin = "round";
  for (const [code, path] of land) {
    ctx.fillStyle = DATA.roleFills[roles[code]] || DATA.land;
    ctx.fill(path);
    ctx.stroke(path);
  }
  ctx.restore();
});

// ---- labels: drawn by the page, by rank, never over one another --------------------------
const FONT = "12px system-ui, sans-serif", LINE = 14;
const measure = document.createElement("canvas").getContext("2d");
measure.font = FONT;
const widths = new Map();
function textWidth(text) {
  if (!widths.has(text)) widths.set(text, Math.ceil(measure.measureText(text).width));
  return widths.get(text);
}
const ranked = DATA.nodes.slice().sort((a, b) => a.kgRank - b.kgRank);
function overlaps(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }

function placeLabels() {
  const W = container.clientWidth, H = container.clientHeight, scale = network.getScale();
  const visible = ranked.filter(n => !hidden.get(n.id));
  const first = new Set(network.getSelectedNodes());
  if (state.centre) first.add(state.centre);
  visible.sort((a, b) => (first.has(b.id) - first.has(a.id)) || (a.kgRank - b.kgRank));
  const positions = network.getPositions(visible.map(n => n.id));
  const placed = [];
  // a grid of buckets, so that a thousand labels cost a thousand checks, not a million
  const cell = 64, grid = new Map();
  const cells = box => {
    const out = [];
    const i0 = Math.max(-1, Math.floor(box[0] / cell)), i1 = Math.min(Math.ceil(W / cell), Math.floor(box[2] / cell));
    const j0 = Math.max(-1, Math.floor(box[1] / cell)), j1 = Math.min(Math.ceil(H / cell), Math.floor(box[3] / cell));
    for (let i = i0; i <= i1; i++) for (let j = j0; j <= j1; j++) out.push(i + ":" + j);
    return out;
  };
  // no label covers a node: the nodes are in the grid first
  const screen = new Map();
  for (const n of visible) {
    const p = network.canvasToDOM(positions[n.id]), r = n.size * scale;
    screen.set(n.id, p);
    const box = [p.x - r, p.y - r, p.x + r, p.y + r];
    box.node = true;
    for (const key of cells(box)) { if (!grid.has(key)) grid.set(key, []); grid.get(key).push(box); }
  }
  // the leading labels (a fifth of those shown, 40 at most) may cover other nodes when
  // nothing else is free; no label ever covers another label
  const leading = Math.min(40, Math.ceil(visible.length / 5));
  visible.forEach((n, rank) => {
    const p = screen.get(n.id);
    const r = n.size * scale, w = textWidth(n.label) + 4;
    // below the node, else above, right or left of it: the first place that is free
    const candidates = [[p.x - w / 2, p.y + r + 1], [p.x - w / 2, p.y - r - 1 - LINE],
                        [p.x + r + 2, p.y - LINE / 2], [p.x - r - 2 - w, p.y - LINE / 2]];
    for (const coverNodes of rank < leading ? [false, true] : [false]) {
      for (const [x, y] of candidates) {
        const box = [x, y, x + w, y + LINE];
        if (box[0] < 0 || box[1] < 0 || box[2] > W || box[3] > H) continue;
        const keys = cells(box);
        if (keys.some(key => (grid.get(key) || []).some(other => (!coverNodes || !other.node) && overlaps(other, box)))) continue;
        box.push(n.label, n.id);
        for (const key of keys) { if (!grid.has(key)) grid.set(key, []); grid.get(key).push(box); }
        placed.push(box);
        return;
      }
    }
  });
  return placed;
}

network.on("afterDrawing", ctx => {
  const placed = placeLabels();
  const ratio = window.devicePixelRatio || 1;
  ctx.save();
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.font = FONT; ctx.textAlign = "center"; ctx.textBaseline = "top";
  ctx.lineJoin = "round"; ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.92)"; ctx.fillStyle = "#1a1a1a";
  for (const b of placed) {
    const x = (b[0] + b[2]) / 2;
    ctx.strokeText(b[4], x, b[1] + 1);
    ctx.fillText(b[4], x, b[1] + 1);
  }
  ctx.restore();
  body.dataset.labels = JSON.stringify(placed.map(b => [Math.round(b[0]), Math.round(b[1]), Math.round(b[2]), Math.round(b[3]), b[5]]));
  body.dataset.outside = String(outside());
});

function outside() {
  const W = container.clientWidth, H = container.clientHeight, scale = network.getScale();
  const ids = DATA.nodes.filter(n => !hidden.get(n.id)).map(n => n.id);
  const positions = network.getPositions(ids);
  let count = 0;
  for (const id of ids) {
    const p = network.canvasToDOM(positions[id]), r = byId.get(id).size * scale;
    if (p.x - r < 0 || p.y - r < 0 || p.x + r > W || p.y + r > H) count++;
  }
  return count;
}

function fit(ids) {
  network.fit({nodes: ids, animation: false});
  // room for the labels of the outermost nodes, and never closer than 2x on a few nodes
  network.moveTo({scale: Math.min(network.getScale() * 0.9, 2), animation: false});
}
function visibleIds() { return DATA.nodes.filter(n => !hidden.get(n.id)).map(n => n.id); }

// ---- the side panel: text only -------------------------------------------------------------
function el(tag, text, attrs) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}
function line(text) { details.appendChild(el("p", text)); }
function label(id) { return byId.get(id).label; }

// the places or actors drawn over one another at this zoom, with this one
function coinciding(id) {
  const scale = network.getScale(), ids = visibleIds(), pos = network.getPositions(ids);
  const p = network.canvasToDOM(pos[id]), r = byId.get(id).size * scale;
  return ids.filter(other => {
    const q = network.canvasToDOM(pos[other]);
    return Math.hypot(p.x - q.x, p.y - q.y) < r + byId.get(other).size * scale;
  });
}

function showNode(id) {
  const n = byId.get(id);
  details.replaceChildren(el("h3", n.label + " (" + n.kgType + ")"));
  const here = coinciding(id);
  if (here.length > 1) {
    // a click on places that coincide opens them: their names, and a zoom that parts them
    const p = el("p", here.length + " drawn here: ");
    here.sort((a, b) => byId.get(a).kgRank - byId.get(b).kgRank).forEach((other, i) => {
      const b = el("button", byId.get(other).label, {type: "button", class: "here"});
      b.addEventListener("click", () => { network.selectNodes([other]); showNode(other); });
      p.append(i ? " " : "", b);
    });
    const zoom = el("button", "zoom in on them", {type: "button"});
    zoom.addEventListener("click", () => { moved_by_reader = true; network.fit({nodes: here, animation: false}); });
    p.append(" ", zoom);
    details.appendChild(p);
  }
  if (n.kgCountry) line("country: " + n.kgCountry);
  if (n.kgAliases && n.kgAliases.length) line("aliases: " + n.kgAliases.join("; "));
  if (FLOWS) {
    const out = edgeData.filter(e => e.from === id && !hidden.get(e.to)).length;
    const into = edgeData.filter(e => e.to === id && !hidden.get(e.from)).length;
    line("arrows out: " + out + ", in: " + into);
    const code = n.kgType === "Country" ? Object.keys(roleCounts).find(c => c === n.kgCode) : null;
    if (code) line("flows as source / transit / destination: " + ["source", "transit", "destination"].map(r => roleCounts[code][r]).join(" / "));
  } else {
    line("links: " + neighbours.get(id).size + (n.kgCommunity !== undefined ? ", community " + n.kgCommunity : ""));
    if (DATA.kind === "actors") {
      const button = el("button", "show it and its neighbours", {type: "button"});
      button.addEventListener("click", () => focusOn(id));
      details.appendChild(button);
    }
  }
}

function flowLine(fid) {
  const f = DATA.flows[fid];
  return [f.y, f.d + " \u00b6" + f.p, (f.ex || []).join(", "), f.v ? f.v + (f.v === 1 ? " victim" : " victims") : ""].filter(Boolean).join(" \u00b7 ");
}

function showEdge(eid) {
  const e = edgeById.get(eid);
  if (!e) return;
  details.replaceChildren(el("h3", label(e.from) + " \u2192 " + label(e.to)));
  if (e.kgExploitation) {
    line("exploitation: " + e.kgExploitation.join(", "));
    line("victims stated: " + (e.kgVictims ? e.kgVictims : "no count given"));
    if (FLOWS) line("flows: " + e.kgFlows.length + " in " + e.kgDocuments.length + " document(s)");
  }
  if (e.kgSectors && e.kgSectors.length) line("sectors: " + e.kgSectors.join(", "));
  if (e.kgInternal) line("within one country: " + e.kgInternal + " of the flows");
  if (e.kgPredicates && e.kgPredicates.length && e.kgPredicates[0]) line("relations: " + e.kgPredicates.join(", "));
  if (e.kgCooccurs) line("same paragraph: " + e.kgCooccurs + " time(s)");
  if (FLOWS) {
    // the flows of the years shown first, then the others; each opens its document
    const order = e.kgFlows.slice().sort((a, b) => (flowShown(b) - flowShown(a)) ||
      ((DATA.flows[a].y || 0) - (DATA.flows[b].y || 0)) || (a < b ? -1 : 1));
    const list = el("ul");
    for (const fid of order) {
      const f = DATA.flows[fid];
      const button = el("button", null, {type: "button", class: "flow", "aria-pressed": "false", "data-flow": fid});
      button.append(el("b", flowLine(fid)), el("br"), "\u201c" + f.ev + "\u201d");
      if (f.by) button.append(el("br"), el("i", "added by " + f.by + ", not found by kg"));
      if (!flowShown(fid)) button.append(el("br"), el("i", "outside the years shown"));
      button.addEventListener("click", () => showFlow(fid));
      list.appendChild(el("li")).appendChild(button);
    }
    details.appendChild(list);
    if (order.length) showFlow(order[0]);
  } else {
    const list = el("ul");
    for (const ev of e.kgEvidence || []) {
      const li = list.appendChild(el("li"));
      li.append("\u201c" + ev.text + "\u201d", el("br"), (ev.document || "") + (ev.paragraph ? " \u00b6" + ev.paragraph : ""));
      if (ev.slug) {
        li.append(" ");
        li.appendChild(el("a", "open the document", {href: (DATA.texts || "texts/") + encodeURIComponent(ev.slug) + ".html#find=" +
          encodeURIComponent(ev.text.replace(/^[A-Za-z]+: /, "").slice(0, 200)), target: "_blank", rel: "noopener"}));
      }
    }
    details.appendChild(list);
  }
}

// one flow's document: id, date, origin, title, its paragraph with the evidence marked, and
// a link to the whole text (texts/<id>.html, written by the build) at the same place
function showFlow(fid) {
  const f = DATA.flows[fid], doc = DATA.documents[f.d] || {};
  for (const b of details.querySelectorAll("button.flow")) b.setAttribute("aria-pressed", String(b.dataset.flow === fid));
  const old = document.getElementById("doc");
  if (old) old.remove();
  const view = el("section", null, {id: "doc"});
  view.appendChild(el("h3", "document " + f.d));
  view.appendChild(el("p", [doc.date, doc.origin].filter(Boolean).join(" \u00b7 ")));
  if (doc.title) view.appendChild(el("p", doc.title));
  view.appendChild(el("p", "paragraph " + f.p));
  const text = el("p", null, {class: "text"});
  const para = DATA.paragraphs && DATA.paragraphs[f.d + "|" + f.pi];
  let mark = null;
  if (para) {
    const chars = Array.from(para[1]);   // code points, as Python counts the offsets
    let a = f.s - para[0], b = f.e - para[0];
    if (!(f.e > f.s && a >= 0 && b <= chars.length)) {
      const i = para[1].indexOf(f.ev);
      a = i < 0 ? -1 : Array.from(para[1].slice(0, i)).length;
      b = a + Array.from(f.ev).length;
    }
    if (a >= 0) {
      mark = el("mark", chars.slice(a, b).join(""));
      text.append(chars.slice(0, a).join(""), mark, chars.slice(b).join(""));
    } else text.textContent = para[1];
  } else {
    mark = el("mark", f.ev);
    text.appendChild(mark);
  }
  view.appendChild(text);
  if (doc.slug) {
    const link = el("a", "open the whole document", {href: (DATA.texts || "texts/") + encodeURIComponent(doc.slug) + ".html#s=" + f.s + "-" + f.e,
                                                     target: "_blank", rel: "noopener"});
    view.appendChild(el("p")).appendChild(link);
  }
  details.appendChild(view);
  body.dataset.doc = fid;
  if (mark) details.scrollTop = Math.max(0, mark.offsetTop - details.offsetTop - 80);
}

// ---- focus: an actor and its neighbours, around it ----------------------------------------
let moved = [];
function focusOn(id) {
  if (DATA.kind !== "actors") {
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 1.2), animation: false});
    showNode(id);
    return;
  }
  const around = [...neighbours.get(id)].sort((a, b) => byId.get(a).kgRank - byId.get(b).kgRank);
  restore();
  state.focus = new Set([id, ...around]);
  state.centre = id;
  const c = byId.get(id), unit = c.size;
  const changes = [{id, x: c.x, y: c.y}];
  // rings of 14, 24, 34, ... neighbours, the most central nearest
  for (let i = 0, ring = 1, capacity = 14; i < around.length; i += capacity, ring++, capacity += 10) {
    const members = around.slice(i, i + capacity);
    members.forEach((n, k) => {
      const angle = 2 * Math.PI * k / members.length + ring * 0.4, radius = unit * 14 * ring;
      changes.push({id: n, x: c.x + radius * Math.cos(angle), y: c.y + radius * Math.sin(angle)});
    });
  }
  moved = changes.map(ch => ch.id);
  nodes.update(changes);
  document.getElementById("reset").hidden = false;
  update();
  network.selectNodes([id]);
  fit([...state.focus]);
  showNode(id);
}
function restore() {
  if (moved.length) nodes.update(moved.map(id => ({id, x: byId.get(id).x, y: byId.get(id).y})));
  moved = [];
}
document.getElementById("reset").addEventListener("click", () => {
  restore(); state.focus = null; state.centre = null;
  document.getElementById("reset").hidden = true;
  update(); fit(visibleIds());
});

network.on("click", p => {
  if (p.nodes.length) showNode(p.nodes[0]);
  else if (p.edges.length) showEdge(p.edges[0]);
});
network.on("doubleClick", p => { if (p.nodes.length) focusOn(p.nodes[0]); });

// ---- controls: search, types, years -----------------------------------------------------
const names = document.getElementById("names");
for (const label of [...new Set(DATA.nodes.map(n => n.label))].sort()) names.appendChild(el("option", null, {value: label}));
function find(text) {
  const want = text.trim().toLowerCase();
  if (!want) return null;
  const pool = ranked;
  return pool.find(n => n.label.toLowerCase() === want) ||
    pool.find(n => (n.kgAliases || []).some(a => a.toLowerCase() === want)) ||
    pool.find(n => n.label.toLowerCase().includes(want) || (n.kgAliases || []).some(a => a.toLowerCase().includes(want)));
}
document.getElementById("search").addEventListener("change", ev => {
  const hit = find(ev.target.value);
  if (hit) {
    if (hidden.get(hit.id) && !state.types.has(hit.kgType)) { state.types.add(hit.kgType); tick(); }
    focusOn(hit.id);
  }
});

const types = document.getElementById("types");
const typeCounts = {};
for (const n of DATA.nodes) typeCounts[n.kgType] = (typeCounts[n.kgType] || 0) + 1;
for (const t of Object.keys(typeCounts).sort()) {
  const box = el("input", null, {type: "checkbox", value: t});
  box.checked = true;
  box.addEventListener("change", () => { if (box.checked) state.types.add(t); else state.types.delete(t); update(); });
  const l = el("label");
  l.append(box, t.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase());
  types.appendChild(l);
}
function tick() { for (const box of types.querySelectorAll("input")) box.checked = state.types.has(box.value); }

const from = document.getElementById("from"), to = document.getElementById("to");
function setYears(a, b) {
  state.range = [Math.min(a, b), Math.max(a, b)];
  from.value = String(state.range[0]); to.value = String(state.range[1]);
  document.getElementById("span").textContent = state.range[0] === state.range[1] ? String(state.range[0]) : state.range.join("\u2013");
  update();
}
if (FLOWS && DATA.years) {
  document.getElementById("years").hidden = false;
  for (const input of [from, to]) {
    input.min = String(DATA.years[0]); input.max = String(DATA.years[1]); input.step = "1";
    input.addEventListener("input", () => setYears(Number(from.value), Number(to.value)));
  }
  setYears(state.range[0], state.range[1]);
} else update();

// ---- first draw: fit what is shown beside the panel, then what the address asks for --------
// until the reader moves the map, it follows the canvas's size (a window opening or resized)
let moved_by_reader = false;
network.on("dragStart", () => { moved_by_reader = true; });
network.on("zoom", () => { moved_by_reader = true; });
let fitted = null;
new ResizeObserver(() => {
  const size = container.clientWidth + "x" + container.clientHeight;
  if (fitted !== null && size !== fitted && !moved_by_reader) {
    fitted = size;
    // after vis-network's own resize handler, which scales the view by the change of width
    setTimeout(() => { if (!moved_by_reader) fit(state.focus ? [...state.focus] : visibleIds()); }, 50);
  }
}).observe(container);
network.once("afterDrawing", () => {
  fit(visibleIds());
  fitted = container.clientWidth + "x" + container.clientHeight;
  body.dataset.drawn = String(nodes.length);
  body.dataset.ready = "1";
  // a link can open the map on a place, an actor, an arrow, a flow or years:
  // flows.html#node=Kazakhstan, #edge=0&flow=1, #years=2005-2008; actors.html#node=IOM
  const ask = new URLSearchParams(location.hash.slice(1));
  if (ask.has("years") && DATA.years) {
    const [a, b] = ask.get("years").split("-").map(Number);
    if (!isNaN(a)) setYears(a, isNaN(b) ? a : b);
  }
  if (ask.has("edge")) {
    const e = edgeById.get("e" + ask.get("edge"));
    if (e) network.selectEdges([e.id]);
    showEdge("e" + ask.get("edge"));
    if (e && ask.has("flow") && FLOWS) showFlow(e.kgFlows[Number(ask.get("flow"))] || e.kgFlows[0]);
  }
  if (ask.has("node")) {
    const hit = find(ask.get("node"));
    if (hit) focusOn(hit.id);
  }
  network.redraw();
});

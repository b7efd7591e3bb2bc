// The playground page: a console in front of a session (session.js) and a map of the engine's
// heap, one cell per 4 KiB page, redrawn after every command. Slabs of small blocks are coloured
// by size class (hue runs from the smallest class to the largest) and filled in proportion to
// the blocks in use, so a write shows up as a slab filling or a new slab appearing.
import { createSession } from "./session.js";
import { COMMAND_JSON } from "../dist/host/commands/table.generated.js";

const $ = (id) => document.getElementById(id);
const output = $("output");
const input = $("line");
const canvas = $("map");
const ctx = canvas.getContext("2d");

const COLOURS = { free: "#2b2f38", meta: "#6b6f7a", large: "#e5534b" };
const classColour = (cls, n, alpha) => `hsla(${Math.round(200 - (cls / Math.max(1, n - 1)) * 160)}, 70%, 58%, ${alpha})`;

// ---- console ---------------------------------------------------------------------------------------

function print(text, cls) {
  const line = document.createElement("div");
  if (cls) line.className = cls;
  line.textContent = text;
  output.append(line);
  output.scrollTop = output.scrollHeight;
}

const history = [];
let cursor = 0;

function bindConsole(session) {
  $("prompt").addEventListener("submit", (e) => {
    e.preventDefault();
    const line = input.value;
    input.value = "";
    if (line.trim() === "") return;
    if (history[history.length - 1] !== line) history.push(line);
    cursor = history.length;
    if (line.trim().toLowerCase() === "clear") {
      output.textContent = "";
      return;
    }
    print(`wedis> ${line}`, "cmd");
    const { reply } = session.run(line);
    if (reply !== "") print(reply, reply.startsWith("(error)") || reply === "Invalid argument(s)" ? "err" : "");
    drawMap(session.memory());
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowUp" && cursor > 0) cursor--;
    else if (e.key === "ArrowDown" && cursor < history.length) cursor++;
    else return;
    e.preventDefault();
    input.value = history[cursor] ?? "";
  });
}

// ---- memory map --------------------------------------------------------------------------------------

let layout = null; // what the last drawing put where, for the hover text

function drawMap(mem) {
  const pages = mem.spans.reduce((n, s) => n + s.pages, 0);
  // Cells shrink as the heap grows so that a few thousand pages still fit without scrolling.
  const size = pages <= 600 ? 14 : pages <= 2400 ? 8 : pages <= 9600 ? 4 : 2;
  const gap = size >= 8 ? 1 : 0;
  const cols = Math.floor(canvas.width / size);
  canvas.height = Math.max(size, Math.ceil(pages / cols) * size);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const first = mem.spans.length ? mem.spans[0].page : 0;
  const ncls = mem.classes.length;
  for (const s of mem.spans) {
    const fill = s.kind === "small" ? s.blocks / mem.classes[s.cls].blocksPerSlab : 1;
    for (let p = 0; p < s.pages; p++) {
      const i = s.page - first + p;
      const x = (i % cols) * size;
      const y = Math.floor(i / cols) * size;
      const w = size - gap;
      if (s.kind === "small") {
        // The slab's cells share one colour: pale for the whole slab, solid for the part in use.
        ctx.fillStyle = classColour(s.cls, ncls, 0.25);
        ctx.fillRect(x, y, w, w);
        const used = Math.round(fill * s.pages * w) - p * w;
        if (used > 0) {
          ctx.fillStyle = classColour(s.cls, ncls, 1);
          const h = Math.min(w, used);
          ctx.fillRect(x, y + w - h, w, h);
        }
      } else {
        ctx.fillStyle = COLOURS[s.kind];
        ctx.fillRect(x, y, w, w);
      }
    }
  }
  layout = { mem, first, cols, size };
  const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
  $("stats").textContent =
    `used_memory ${kib(mem.used)} · heap ${kib(mem.heap)} (${pages} pages, ${mem.spans.length} runs) · linear memory ${kib(mem.rss)}`;
}

function describe(s, mem) {
  const where = `page ${s.page} (0x${(s.page * mem.pageSize).toString(16)})`;
  const span = s.pages > 1 ? `${s.pages} pages` : "1 page";
  switch (s.kind) {
    case "small": {
      const c = mem.classes[s.cls];
      return `${where}: slab of ${c.size}-byte blocks, ${s.blocks}/${c.blocksPerSlab} in use, ${span}`;
    }
    case "large": return `${where}: one large block, ${span}`;
    case "free": return `${where}: free run, ${span}`;
    default: return `${where}: allocator metadata, ${span}`;
  }
}

canvas.addEventListener("mousemove", (e) => {
  if (!layout) return;
  const { mem, first, cols, size } = layout;
  const r = canvas.getBoundingClientRect();
  const col = Math.floor((e.clientX - r.left) / size);
  const page = first + Math.floor((e.clientY - r.top) / size) * cols + col;
  const s = col < cols ? mem.spans.find((sp) => page >= sp.page && page < sp.page + sp.pages) : undefined;
  $("hover").textContent = s ? describe(s, mem) : "";
});
canvas.addEventListener("mouseleave", () => ($("hover").textContent = ""));

function drawLegend(mem) {
  const item = (colour, label) => `<span><i style="background:${colour}"></i>${label}</span>`;
  const n = mem.classes.length;
  $("legend").innerHTML = [
    item(classColour(0, n, 1), `small, ${mem.classes[0].size} B`),
    item(classColour(Math.floor(n / 2), n, 1), `${mem.classes[Math.floor(n / 2)].size} B`),
    item(classColour(n - 1, n, 1), `${mem.classes[n - 1].size} B`),
    item(classColour(n - 1, n, 0.25), "slab space not in use"),
    item(COLOURS.large, "large block"),
    item(COLOURS.free, "free"),
    item(COLOURS.meta, "metadata"),
  ].join("");
}

// ---- start -------------------------------------------------------------------------------------------

try {
  const res = await fetch("../build/wedis.wasm");
  if (!res.ok) throw new Error(`../build/wedis.wasm: HTTP ${res.status}`);
  const bytes = await res.arrayBuffer();
  const session = await createSession(bytes, COMMAND_JSON);
  bindConsole(session);
  const mem = session.memory();
  drawLegend(mem);
  drawMap(mem);
  print("Engine loaded. Type Redis commands (SET, GET, INCR, RPUSH, EXPIRE, …); commands that need", "note");
  print("the server (INFO, CONFIG, CLIENT, MULTI…) are refused. ↑/↓ browse history, `clear` clears.", "note");
  input.disabled = false;
  input.placeholder = "SET greeting hello";
  input.focus();
} catch (e) {
  print(`Could not start the engine: ${e instanceof Error ? e.message : e}. Run \`npm run build\` first.`, "err");
}

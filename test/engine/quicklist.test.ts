// Quicklists (assembly/quicklist.ts) through the debug build: node filling under each
// list-max-listpack-size setting, elements bigger than a node, insert/replace/delete across node
// boundaries against an array model with a structure check after every step, COPY's deep copy,
// and the allocator count back to the start.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../host/engine.js";

interface QlExports {
  memory: WebAssembly.Memory;
  usedMemory(): number;
  memAlloc(size: number): number;
  tkQlSetFill(v: number): void;
  tkQlCreate(): number;
  tkQlFree(ql: number): void;
  tkQlDup(ql: number): number;
  tkQlMemory(ql: number): number;
  tkQlCount(ql: number): number;
  tkQlNodes(ql: number): number;
  tkQlPush(ql: number, ptr: number, len: number, head: number): void;
  tkQlPop(ql: number, head: number): void;
  tkQlGet(ql: number, index: number, dst: number): number;
  tkQlInsert(ql: number, index: number, ptr: number, len: number, after: number): void;
  tkQlReplace(ql: number, index: number, ptr: number, len: number): void;
  tkQlDelete(ql: number, index: number, forward: number): void;
  tkQlDelRange(ql: number, start: number, count: number): void;
  tkQlCheck(ql: number, maxBytes: number): number;
}

let x: QlExports;
let SRC = 0;
let DST = 0;

beforeAll(() => {
  x = Engine.load({ debug: true }).x as unknown as QlExports;
  SRC = x.memAlloc(200000);
  DST = x.memAlloc(200000);
});
afterEach(() => x.tkQlSetFill(-2));

function put(s: string): number {
  new Uint8Array(x.memory.buffer).set(Buffer.from(s, "latin1"), SRC);
  return s.length;
}
function get(ql: number, i: number): string | null {
  const n = x.tkQlGet(ql, i, DST);
  return n < 0 ? null : Buffer.from(new Uint8Array(x.memory.buffer, DST, n)).toString("latin1");
}
function all(ql: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < x.tkQlCount(ql); i++) out.push(get(ql, i)!);
  return out;
}
const push = (ql: number, s: string, head = false) => x.tkQlPush(ql, SRC, put(s), head ? 1 : 0);

describe("quicklist nodes", () => {
  it("an 8 KB cap (-2) fills nodes to 8 KB; a count cap holds that many per node", () => {
    const before = x.usedMemory();
    const ql = x.tkQlCreate();
    for (let i = 0; i < 10000; i++) push(ql, "element:" + i);
    // Entries of 11-14 bytes: full 8 KB nodes, the number of nodes the bytes need and no more.
    let bytes = 0;
    for (let i = 0; i < 10000; i++) bytes += ("element:" + i).length + 2;
    expect(x.tkQlNodes(ql)).toBe(Math.ceil(bytes / (8192 - 7 - 14)));
    expect(x.tkQlCheck(ql, 8192)).toBe(1);
    expect(x.tkQlMemory(ql)).toBeLessThan(10000 * 16);
    x.tkQlFree(ql);
    x.tkQlSetFill(5);
    const q2 = x.tkQlCreate();
    for (let i = 0; i < 23; i++) push(q2, String(i), i % 2 === 0);
    // the first node takes 5 from both ends; the other 18 make head and tail runs: 2 + 2 nodes
    expect(x.tkQlNodes(q2)).toBe(5);
    expect(x.tkQlCheck(q2, 8192)).toBe(1);
    x.tkQlFree(q2);
    expect(x.usedMemory()).toBe(before);
  });

  it("each negative setting caps the node size at 4/8/16/32/64 KB", () => {
    for (const [fill, cap] of [[-1, 4096], [-2, 8192], [-3, 16384], [-4, 32768], [-5, 65536]]) {
      x.tkQlSetFill(fill);
      const ql = x.tkQlCreate();
      for (let i = 0; i < 3000; i++) push(ql, "y".repeat(40));
      expect(x.tkQlCheck(ql, cap)).toBe(1);
      expect(x.tkQlNodes(ql)).toBe(Math.ceil(3000 / Math.floor((cap - 7) / 42)));
      x.tkQlFree(ql);
    }
  });

  it("an element bigger than the cap gets a node of its own", () => {
    const ql = x.tkQlCreate();
    push(ql, "a");
    push(ql, "b".repeat(20000));
    push(ql, "c");
    expect(x.tkQlNodes(ql)).toBe(3);
    expect(all(ql)).toEqual(["a", "b".repeat(20000), "c"]);
    x.tkQlFree(ql);
  });
});

describe("quicklist against a model", () => {
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  for (const fill of [-1, 4, 1]) {
    it(`random operations with list-max-listpack-size ${fill}`, () => {
      x.tkQlSetFill(fill);
      const cap = fill < 0 ? 4096 : 8192;
      const before = x.usedMemory();
      const r = rng(fill + 100);
      const pick = (n: number) => Math.floor(r() * n);
      const val = () => (pick(4) === 0 ? String(pick(1000)) : pick(10) === 0 ? "z".repeat(pick(3000)) : "e" + pick(100));
      const ql = x.tkQlCreate();
      let model: string[] = [];
      for (let step = 0; step < 2500; step++) {
        const op = pick(8);
        const v = val();
        if (op <= 1) {
          push(ql, v, op === 0);
          op === 0 ? model.unshift(v) : model.push(v);
        } else if (model.length === 0) {
          continue;
        } else if (op === 2) {
          const i = pick(model.length);
          const after = pick(2);
          x.tkQlInsert(ql, i, SRC, put(v), after);
          model.splice(i + after, 0, v);
        } else if (op === 3) {
          const i = pick(model.length);
          x.tkQlReplace(ql, i, SRC, put(v));
          model[i] = v;
        } else if (op === 4) {
          const i = pick(model.length);
          x.tkQlDelete(ql, i, pick(2));
          model.splice(i, 1);
        } else if (op === 5) {
          const i = pick(model.length);
          const n = pick(20);
          x.tkQlDelRange(ql, i, n);
          model.splice(i, n);
        } else if (op === 6) {
          const head = pick(2);
          x.tkQlPop(ql, head);
          head ? model.shift() : model.pop();
        } else {
          const i = pick(model.length + 1);
          expect(get(ql, i)).toBe(i < model.length ? model[i] : null);
          expect(get(ql, -1 - i)).toBe(i < model.length ? model[model.length - 1 - i] : null);
        }
        expect(x.tkQlCheck(ql, cap)).toBe(1);
        expect(x.tkQlCount(ql)).toBe(model.length);
        if (step % 250 === 0) expect(all(ql)).toEqual(model);
      }
      const copy = x.tkQlDup(ql);
      expect(all(copy)).toEqual(model);
      expect(x.tkQlMemory(copy)).toBe(x.tkQlMemory(ql));
      x.tkQlFree(copy);
      x.tkQlFree(ql);
      expect(x.usedMemory()).toBe(before);
      model = [];
    });
  }
});

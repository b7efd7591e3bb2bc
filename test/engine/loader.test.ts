// The release engine is a plain WebAssembly module: the host instantiates it directly, and users
// of AssemblyScript tooling can still load it through the (deprecated) @assemblyscript/loader.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import loader from "@assemblyscript/loader";
import { wasmPath } from "../../host/engine.js";

describe("engine module", () => {
  it("imports nothing but env.abort, so any host can instantiate it", () => {
    for (const debug of [false, true]) {
      const module = new WebAssembly.Module(readFileSync(wasmPath(debug)));
      expect(WebAssembly.Module.imports(module)).toEqual([{ module: "env", name: "abort", kind: "function" }]);
    }
  });

  it("loads through @assemblyscript/loader and runs a batch", async () => {
    const { exports } = await loader.instantiate<Record<string, any>>(readFileSync(wasmPath(false)), {});
    exports.init(16, 1, 2);
    const mem = () => new Uint8Array(exports.memory.buffer);
    // One PING: table [id, argc=1, 0, 0, off=0, len=4], data "PING".
    const table = exports.reserveTable(24) >>> 0;
    const data = exports.reserveData(4) >>> 0;
    mem().set(Buffer.from("PING"), data);
    const { commandByName } = await import("../../host/commands/table.js");
    new Uint32Array(exports.memory.buffer, table, 6).set([commandByName("ping")!.id, 1, 0, 0, 0, 4]);
    const n = exports.exec(table, 1, data, 0, 2, Date.now());
    const out = Buffer.from(mem().subarray(exports.outputPtr() >>> 0, (exports.outputPtr() >>> 0) + n)).toString();
    expect(out).toBe("+PONG\r\n");
  });
});

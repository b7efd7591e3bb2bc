// Exports every mutable global of the compiled engine (as `snap:<index>`), so that the host can
// copy the engine's whole state — linear memory plus these globals — into a second instance of
// the same module: a fork-like snapshot, which the AOF rewrite runs on in a worker thread
// (host/engine.ts snapshot()/restore()). AssemblyScript keeps module-level variables in wasm
// globals and offers no option to export them all, so this rewrites the binary after asc.
import binaryen from "binaryen";
import { readFileSync, writeFileSync } from "node:fs";

for (const path of process.argv.slice(2)) {
  const module = binaryen.readBinary(readFileSync(path));
  module.setFeatures(module.getFeatures() | binaryen.Features.MutableGlobals);
  let n = 0;
  for (let i = 0, count = module.getNumGlobals(); i < count; i++) {
    const info = binaryen.getGlobalInfo(module.getGlobalByIndex(i));
    if (!info.mutable) continue;
    module.addGlobalExport(info.name, `snap:${i}`);
    n++;
  }
  binaryen.setDebugInfo(true); // keep the names section of the debug build
  writeFileSync(path, module.emitBinary());
  module.dispose();
  console.log(`export-globals: ${path}: ${n} mutable globals exported`);
}

// Loads the debug engine for engine-level tests and moves bytes in and out of its memory.
import { Engine } from "../../host/engine.js";

export type Fn = (...args: number[]) => number;

export function loadDebugEngine(): Engine {
  return Engine.load({ debug: true });
}

/** Calls an export of the debug build by name (test hooks are not in EngineExports' type). */
export function call(engine: Engine, name: string, ...args: number[]): number {
  const f = engine.x[name] as Fn | undefined;
  if (typeof f !== "function") throw new Error(`engine has no export ${name}`);
  return f(...args);
}

/** Copies bytes into a fresh engine allocation; returns [ptr, len]. Free with memFree. */
export function put(engine: Engine, bytes: Uint8Array | string): [number, number] {
  const b = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
  const ptr = engine.x.memAlloc(Math.max(1, b.length)) >>> 0;
  engine.u8().set(b, ptr);
  return [ptr, b.length];
}

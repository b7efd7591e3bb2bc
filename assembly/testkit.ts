// Entry of the debug build (build/wedis.debug.wasm): the engine's exports plus hooks that only
// tests use, one file per area under testkit/. The release build (index.ts) carries none of them.
export * from "./index";
export * from "./testkit/alloc";
export * from "./testkit/dict";
export * from "./testkit/util";
export * from "./testkit/list";
export * from "./testkit/set";
export * from "./testkit/zset";
export * from "./testkit/hash";
export * from "./testkit/evict";
export * from "./testkit/aofrw";

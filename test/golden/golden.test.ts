// Replays every golden transcript (what Redis 7.0 answered, byte for byte; recorded by
// scripts/record-golden.mjs from test/golden/scenarios/) against an in-process Wedis and
// requires the same bytes, or what the step's declared matcher allows.
// GOLDEN_PORT=N replays against a server already listening on port N instead (a real Redis, to
// check the transcripts, or a `node bin/wedis-server.js` process). It runs FLUSHALL there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// @ts-ignore: plain JS helper shared with the recorder (no type declarations)
import { replay, formatFailures, loadTranscripts } from "./replay.mjs";

interface Transcript {
  name: string;
  steps: { sleep?: number; cmd?: unknown[] }[];
}

const transcripts: Transcript[] = loadTranscripts(join(dirname(fileURLToPath(import.meta.url)), "transcripts"));

describe("golden transcripts (Redis 7.0 replies)", () => {
  let server: { port: number; close(): Promise<void> };

  beforeAll(async () => {
    const external = Number(process.env.GOLDEN_PORT);
    if (external > 0) {
      server = { port: external, close: async () => {} };
      return;
    }
    const { startServer } = await import("../../host/server.js");
    server = await startServer({ port: 0, bind: "127.0.0.1" });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("has transcripts to replay", () => {
    expect(transcripts.length).toBeGreaterThan(0);
  });

  for (const t of transcripts) {
    const sleeps = t.steps.reduce((ms, s) => ms + (s.sleep ?? 0), 0);
    it(t.name, { timeout: 20_000 + sleeps }, async () => {
      const failures = await replay(server.port, t, { timeoutMs: 3000 });
      // The message lists every differing step with the scenario line, so one run shows all.
      expect(failures.length, `\n${formatFailures(t.name, failures)}\n`).toBe(0);
    });
  }
});

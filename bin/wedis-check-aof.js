#!/usr/bin/env node
// The wedis-check-aof command: checks an AOF (manifest or file) and with --fix truncates a last
// file cut short. The logic is host/aof/check.ts, compiled to dist/ by npm run build.
import { runCheckAof, terminalIo } from "../dist/host/aof/check.js";

process.exitCode = runCheckAof(process.argv.slice(2), terminalIo());

#!/usr/bin/env node
// The wedis-server command: the compiled host (npm run build writes dist/).
import "../dist/host/main.js";

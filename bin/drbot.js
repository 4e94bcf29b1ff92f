#!/usr/bin/env node
"use strict";
// Plain-JavaScript launcher so `npx drbot` runs on Node 20 without a TypeScript loader.
// `npm install` compiles src/ to dist/ (postinstall); rebuild with `npm run build` after editing.
const path = require("node:path");
const fs = require("node:fs");
const entry = path.join(__dirname, "..", "dist", "src", "cli", "main.js");
if (!fs.existsSync(entry)) {
  process.stderr.write("drbot 尚未编译：请先运行 npm install（或 npm run build）\n");
  process.exit(1);
}
require(entry).main();

#!/usr/bin/env node
// The `layerfs` command. The CLI is compiled from src/cli to dist/cli.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`layerfs: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);

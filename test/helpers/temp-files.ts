// A temporary folder for one test file, removed when the file's tests end, and the check that
// a call failed with a FlambeauError whose message matches.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import * as fl from "flambeau";

/** A fresh folder under the OS's temp dir and a writer into it (returns the path written). */
export function tempFiles(prefix: string): { dir: string; write: (name: string, content: string | Uint8Array) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write: (name, content) => {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
  };
}

/** For assert.throws/rejects: a FlambeauError whose message matches `re`. */
export const failsWith = (re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof fl.FlambeauError, String(e));
  assert.match(e.message, re);
  return true;
};

import assert from "node:assert/strict";
import { test } from "node:test";
import { packageStanzas, relationNames } from "../../src/data/debian-packages-index.js";

test("Packages stanzas: one-line fields, continuation lines skipped", () => {
  const text = "Package: a\nDescription: first line\n more text\n .\nDepends: b\n\n\nPackage: c\nSection: net\n";
  const stanzas = [...packageStanzas(text)];
  assert.equal(stanzas.length, 2);
  assert.deepEqual(
    [...stanzas[0]!],
    [
      ["Package", "a"],
      ["Description", "first line"],
      ["Depends", "b"],
    ],
  );
  assert.equal(stanzas[1]!.get("Section"), "net");
});

test("relation fields: alternatives kept, versions and :arch dropped", () => {
  assert.deepEqual(relationNames("libc6 (>= 2.34), perl:any, debconf (>= 0.5) | debconf-2.0, python3[amd64]"), [
    "libc6",
    "perl",
    "debconf",
    "debconf-2.0",
    "python3",
  ]);
  assert.deepEqual(relationNames(""), []);
});

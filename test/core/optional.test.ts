// Optional peer dependencies: a missing one is an E_IO error naming the package and the npm
// command, whether it is loaded with require (CommonJS) or import (ES modules); one that is
// installed loads; the list of missing ones is read from package.json's peerDependenciesMeta.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";
import { importOptional, missingOptionalPackages, optionalPackageDir, requireOptional } from "../../src/core/optional.js";

const missingError = (name: string) => (e: unknown) => {
  const err = e as { code?: string; message: string };
  assert.equal(err.code, "E_IO");
  assert.match(err.message, new RegExp(`op: purpose needs the npm package ${name}, which is not installed \\(npm install ${name}\\)`));
  return true;
};

test("a missing optional package is an E_IO error naming it and the npm command (require, import, package folder)", async () => {
  assert.throws(() => requireOptional("flambeau-no-such-package", "purpose", "op"), missingError("flambeau-no-such-package"));
  await assert.rejects(importOptional("flambeau-no-such-package", "purpose", "op"), missingError("flambeau-no-such-package"));
  assert.throws(() => optionalPackageDir("flambeau-no-such-package", "purpose", "op"), missingError("flambeau-no-such-package"));
});

test("an installed optional package loads through both paths", async () => {
  const fastify = await importOptional<{ default: unknown }>("fastify", "the HTTP server", "serve");
  assert.equal(typeof fastify.default, "function");
  assert.equal(typeof requireOptional<{ parse: unknown }>("opentype.js", "fonts", "glyphs").parse, "function");
});

test("the heavy helpers are optional peers: the package's own dependencies stay lean", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
    dependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
  };
  for (const name of ["fastify", "@fastify/multipart", "openchemlib", "opentype.js", "tokenizers", "hnswlib-node"]) {
    assert.equal(pkg.dependencies[name], undefined, `${name} is a hard dependency`);
    assert.equal(pkg.peerDependenciesMeta[name]?.optional, true, `${name} is not an optional peer`);
  }
  // In this checkout every optional peer is installed (devDependencies).
  assert.deepEqual(missingOptionalPackages(), []);
});

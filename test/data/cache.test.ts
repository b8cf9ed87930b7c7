import assert from "node:assert/strict";
import { homedir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { data } from "flambeau";

test("cacheRoot: FLAMBEAU_CACHE, then XDG_CACHE_HOME/flambeau, then ~/.cache/flambeau", () => {
  assert.equal(data.cacheRoot({ FLAMBEAU_CACHE: "/c", XDG_CACHE_HOME: "/x" }), "/c");
  assert.equal(data.cacheRoot({ XDG_CACHE_HOME: "/x" }), join("/x", "flambeau"));
  assert.equal(data.cacheRoot({}), join(homedir(), ".cache", "flambeau"));
});

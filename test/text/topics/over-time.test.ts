import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { topicsOverTime, topicsOverTimeSvg } from "../../../src/text/topics/over-time.js";

describe("topics over time", () => {
  test("mean proportions per decade (hand example)", () => {
    // Five documents, two topics: 1791 and 1799 share the 1790s, 1802 is alone in the 1800s,
    // 1823 and 1820 in the 1820s; the 1810s have no document and are left out.
    const theta = [0.9, 0.1, 0.5, 0.5, 0.2, 0.8, 0.6, 0.4, 0.0, 1.0];
    const t = topicsOverTime(theta, 2, [1791, 1799, 1802, 1823, 1820]);
    assert.deepEqual(t.periods, [1790, 1800, 1820]);
    assert.deepEqual(t.counts, [2, 1, 2]);
    const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
    near(t.means[0]![0]!, 0.7);
    near(t.means[0]![1]!, 0.3);
    near(t.means[1]![0]!, 0.2);
    near(t.means[2]![0]!, 0.3);
    near(t.means[2]![1]!, 0.7);
    // Yearly periods: 1820 before 1823.
    const y = topicsOverTime(theta, 2, [1791, 1799, 1802, 1823, 1820], 1);
    assert.deepEqual(y.periods, [1791, 1799, 1802, 1820, 1823]);
    near(y.means[3]![1]!, 1.0);
    assert.throws(() => topicsOverTime(theta, 3, [1791, 1799, 1802]), /9 documents|10 proportions/);
  });

  test("the chart has one panel per topic, escaped labels", () => {
    const t = topicsOverTime([0.9, 0.1, 0.5, 0.5, 0.2, 0.8], 2, [1790, 1800, 1810]);
    const svg = topicsOverTimeSvg(t, ["war & peace", "tariff <duties>"], { title: "SOTU" });
    assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
    assert.match(svg, /0: war &amp; peace/);
    assert.match(svg, /1: tariff &lt;duties&gt;/);
    // A label too long for its panel is cut at a word end.
    assert.match(topicsOverTimeSvg(t, ["federal program programs administration", "b"]), />0: federal program programs …</);
    // Topic 0's panel tops out at its maximum, 90 %.
    assert.match(svg, />90%</);
  });
});

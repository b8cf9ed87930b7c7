// FAQ parsing (the Debian FAQ's numbered headings with their no-break space, Q./A. paragraphs,
// question headings), BM25 passage search, first-words cuts and the cites-the-passage overlap.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDebianFaq, parseHeadingFaq, parseOutlineFaq, parseQaFaq } from "../../../src/text/chat/faq.js";
import { firstWords, KnowledgeBase } from "../../../src/text/chat/knowledge.js";
import { cites, passageOverlap } from "../../../src/text/chat/metrics.js";

test("parseDebianFaq: numbered questions (wrapped headings too) and their indented answers; chapters and the contents skipped", () => {
  const text = [
    "Table of Contents",
    "",
    "1. Definitions",
    "    1.1.\u00a0What is this FAQ?",
    "",
    "Chapter 1. Definitions",
    "",
    "1.1.\u00a0What is this FAQ?",
    "",
    "    This document answers questions",
    "    about Debian (https://www.debian.org) .",
    "",
    "1.2.\u00a0What is the difference between Debian GNU/Linux and other Linux",
    "distributions?",
    "",
    "    Key features.",
    "",
    "Chapter 2. Getting",
    "",
    "2.1.\u00a0Where is it?",
    "",
    "    On the mirrors.",
  ].join("\n");
  assert.deepEqual(
    parseDebianFaq(text, "f").map((p) => [p.question, p.answer]),
    [
      ["What is this FAQ?", "This document answers questions about Debian ."],
      ["What is the difference between Debian GNU/Linux and other Linux distributions?", "Key features."],
      ["Where is it?", "On the mirrors."],
    ],
  );
});

test("parseQaFaq: several questions may share one answer; parseHeadingFaq: headings that ask", () => {
  const qa = parseQaFaq("* About x:\n\nQ. Why a?\n\nQ. Why b?\n\nA. Because\nof c.\n\nQ. How?\n\nA. So.\n", "f");
  assert.deepEqual(
    qa.map((p) => [p.question, p.answer]),
    [
      ["Why a?", "Because of c."],
      ["Why b?", "Because of c."],
      ["How?", "So."],
    ],
  );
  const h = parseHeadingFaq(
    " 1. Is zlib Y2K-compliant?\n\n    Yes. zlib doesn't handle dates.\n\nWhy use man-db instead of man?\n=====\n\nIt caches the pages.\n",
    "f",
  );
  assert.deepEqual(
    h.map((p) => [p.question, p.answer]),
    [
      ["Is zlib Y2K-compliant?", "Yes. zlib doesn't handle dates."],
      ["Why use man-db instead of man?", "It caches the pages."],
    ],
  );
});

test("parseOutlineFaq: the sed and lsof layout — contents skipped, wrapped headings joined, only headings that ask, answers up to the margin", () => {
  const text = [
    "Table of Contents:",
    "",
    "1.0\tGeneral Concepts",
    "1.1\tLsof -- what is it?",
    "1.2.4\tWhy can't I get the sum(1) result reported in",
    "\tREADME.lsof_<revision>?",
    "",
    "______",
    "",
    "1.0\tGeneral Concepts",
    "",
    "1.1\tLsof -- what is it?",
    "",
    "\tLsof is a UNIX-specific tool.",
    "",
    "\t    lsof -i",
    "",
    "1.2.4\tWhy can't I get the sum(1) result reported in",
    "\tREADME.lsof_<revision>?",
    "",
    "\tSee the Security section.",
    "",
    "5. WHY ISN'T THIS WORKING?",
    "5.1.  FAQ abbreviations",
    "",
    "   RE means regular expression.",
    "",
    "5.8.  Does sed issue an exit code?",
    "",
    "   Most versions of sed do not.",
  ].join("\n");
  assert.deepEqual(
    parseOutlineFaq(text, "f").map((p) => [p.question, p.answer]),
    [
      ["Lsof -- what is it?", "Lsof is a UNIX-specific tool. lsof -i"],
      ["Why can't I get the sum(1) result reported in README.lsof_<revision>?", "See the Security section."],
      ["Does sed issue an exit code?", "Most versions of sed do not."],
    ],
  );
  assert.deepEqual(parseOutlineFaq("no outline here\n", "f"), []);
});

test("KnowledgeBase.search: BM25 order, best first, only passages sharing a word", () => {
  const kb = new KnowledgeBase([
    { source: "faq", text: "dpkg installs packages" },
    { source: "faq", text: "apt fetches packages from mirrors and apt upgrades them" },
    { source: "faq", text: "the kernel boots" },
  ]);
  assert.deepEqual(kb.search("how does apt fetch packages", 3), [1, 0]);
  assert.deepEqual(kb.search("kernel", 1), [2]);
  assert.deepEqual(kb.search("nothing matches", 2), []);
});

test("firstWords: a word budget, ending at a sentence when one ends past half of it", () => {
  assert.equal(firstWords("One two three. Four five six seven.", 5), "One two three.");
  assert.equal(firstWords("One. Two three four five six", 5), "One. Two three four five");
  assert.equal(firstWords("  a  b ", 5), "a b");
});

test("passageOverlap: the share of the answer's word bigrams (SQuAD-normalised) found in the passage", () => {
  // Bigrams of "dpkg installs the packages" after normalisation: "dpkg installs", "installs packages".
  assert.equal(passageOverlap("dpkg installs the packages", "Dpkg installs packages, and removes them."), 1);
  // "apt fetches", "fetches packages", "packages quickly": one of three is in the passage.
  assert.ok(Math.abs(passageOverlap("apt fetches packages quickly", "it fetches packages") - 1 / 3) < 1e-12);
  assert.equal(passageOverlap("yes", "yes it does"), 0);
  assert.equal(cites("dpkg installs packages", "dpkg installs packages"), true);
  assert.equal(cites("apt fetches packages quickly", "it fetches packages"), false);
});

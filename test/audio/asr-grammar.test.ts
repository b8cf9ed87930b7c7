// Decoding grammars: JSGF and Sphinx FSG parsed into word graphs that accept exactly their
// sentences (pocketsphinx-testdata's cards and goforward grammars, copied here verbatim, and a
// digits FSG in tidigits.fsg's layout), parse errors that name the file, rule or line, and the
// CTC beam search spelling a grammar sentence where the unconstrained search spells a near miss.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as fl from "flambeau";
import { ctcFrames } from "../helpers/ctc.js";

const A = fl.audio;
const C = A.CTC_CLASSES;

const CARDS = `#JSGF v1.0;

grammar cards;

public <cards> = <cards_3> | <cards_2> | <card> | <cards_same_suit> | <cards_no_suit>;

<cards_3> = <card> <card> <card>;

<cards_2> = <card> <card>;
  
<cards_same_suit> = <rank> <card>;  
 
<cards_no_suit> = <rank> <rank>;
 
<card> = <rank> [ of ] <suits>;
  
<suits> = clubs | hearts | diamonds | spades;

<rank> = ace | two | three | four | five | six | seven | eight | nine | ten | jack | queen | king | lady;
`;

const GOFORWARD = `#JSGF V1.0;

/**
 * JSGF Grammar for Turtle example
 */

grammar goforward;

public <move> = go forward ten meters;

public <move2> = go <direction> <distance> [meter | meters];

<direction> = forward | backward;

<distance> = one | two | three | four | five | six | seven | eight | nine | ten;
`;

test("JSGF: pocketsphinx's cards and goforward grammars accept their sentences and nothing else", () => {
  const cards = A.parseJsgf(CARDS, "cards.gram");
  for (const s of [
    "ten of clubs",
    "four queen of clubs",
    "seven of clubs",
    "five five",
    "eight of spades four of clubs seven of hearts",
    "ace hearts",
  ])
    assert.ok(cards.accepts(s), s);
  for (const s of ["", "of clubs", "ten of", "ten clubs clubs", "five five five", "ten of clubs ten of clubs ten of clubs ten of clubs"])
    assert.ok(!cards.accepts(s), s);
  assert.equal(cards.vocabulary().length, 14 + 4 + 1);
  // Every public rule is a way in: <move> and <move2>.
  const go = A.parseJsgf(GOFORWARD, "goforward.gram");
  for (const s of ["go forward ten meters", "go backward three", "go backward three meter"]) assert.ok(go.accepts(s), s);
  for (const s of ["go left three", "go forward", "forward ten meters"]) assert.ok(!go.accepts(s), s);
});

test("JSGF: repeats, weights, tags, quoted tokens and <NULL>; errors name the file and the rule", () => {
  const g = A.parseJsgf(
    `#JSGF V1.0; grammar t; // a comment
public <s> = /0.7/ please <digit>+ {digits} [thanks] | "stop now" <NULL> | count <digit>* done;
<digit> = one | two;`,
    "t.gram",
  );
  for (const s of ["please one", "please one two one thanks", "stop now", "count done", "count two two done"]) assert.ok(g.accepts(s), s);
  for (const s of ["please", "please thanks", "stop", "count one"]) assert.ok(!g.accepts(s), s);
  assert.throws(() => A.parseJsgf("grammar t; public <s> = a;", "x.gram"), /x\.gram: not a JSGF grammar/);
  assert.throws(() => A.parseJsgf("#JSGF V1.0; grammar t; public <s> = a <b>;", "x.gram"), /x\.gram: rule <b> is used but never defined/);
  assert.throws(
    () => A.parseJsgf("#JSGF V1.0; grammar t; public <s> = a <s>;", "x.gram"),
    /x\.gram: rule <s> is recursive \(s → s\); use \* or \+/,
  );
  assert.throws(() => A.parseJsgf("#JSGF V1.0; grammar t; public <s> = ( a | b;", "x.gram"), /x\.gram <s>: "\(" is never closed by "\)"/);
  assert.throws(() => A.parseJsgf("#JSGF V1.0; grammar t; <s> = a;", "x.gram"), /x\.gram: no public rule/);
});

test("Sphinx FSG: a digits graph in tidigits.fsg's layout, empty transitions included; errors name the line", () => {
  const lines = ["FSG_BEGIN digits", "NUM_STATES 5", "START_STATE 0", "FINAL_STATE 4", "# Transitions"];
  lines.push("TRANSITION 0 1 0.5", "TRANSITION 0 2 0.5", "TRANSITION 1 3 1.0 one", "TRANSITION 2 3 1.0 oh ");
  lines.push("TRANSITION 3 4 0.5", "TRANSITION 3 0 0.5", "FSG_END");
  const g = A.parseFsg(lines.join("\n"), "d.fsg");
  for (const s of ["one", "oh one oh", "one one one one"]) assert.ok(g.accepts(s), s);
  for (const s of ["", "two", "one two"]) assert.ok(!g.accepts(s), s);
  assert.throws(
    () => A.parseFsg("NUM_STATES 2\nSTART_STATE 0\nFINAL_STATE 1\nTRANSITION 0 7 1 a", "d.fsg"),
    /d\.fsg:4: state "7" is not in 0…1/,
  );
  assert.throws(
    () => A.parseFsg("NUM_STATES 2\nSTART_STATE 0", "d.fsg"),
    /d\.fsg: NUM_STATES, START_STATE and FINAL_STATE are all required/,
  );
  const dir = mkdtempSync(join(tmpdir(), "flambeau-grammar-"));
  writeFileSync(join(dir, "d.fsg"), lines.join("\n"));
  assert.ok(A.loadGrammar(join(dir, "d.fsg")).accepts("oh"));
  assert.throws(() => A.loadGrammar(join(dir, "missing.gram")), /grammar: cannot read .*missing\.gram/);
});

test("CTC beam search under a grammar spells the grammar's sentence where the open search spells a near miss", () => {
  const label = (ch: string) => A.CTC_CHARS.indexOf(ch) + 1;
  // Frames: each character of "tin of clubs" (with 'e' the runner-up to 'i'), a blank after each.
  const rows: Record<number, number>[] = [];
  for (const ch of "tin of clubs") {
    rows.push(ch === "i" ? { [label("i")]: 0.55, [label("e")]: 0.4 } : { [label(ch)]: 0.95 });
    rows.push({ 0: 0.95 });
  }
  const lp = ctcFrames(rows);
  assert.equal(A.ctcBeamDecode(lp, rows.length, C, { beam: 8 }), "tin of clubs");
  const grammar = new A.GrammarConstraint(A.parseJsgf(CARDS, "cards.gram"));
  assert.equal(A.ctcBeamDecode(lp, rows.length, C, { beam: 8, grammar }), "ten of clubs");
  assert.ok(grammar.allows("ten of", " ") && !grammar.allows("ten", "x") && grammar.allows("", "q") && !grammar.allows("", "o"));
});

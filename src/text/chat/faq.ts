// Real question → answer pairs from the FAQs Debian ships: the Debian GNU/Linux FAQ
// (package debian-faq, /usr/share/doc/debian/FAQ/debian-faq.en.txt.gz: numbered sections
// "1.3. Question?" followed by an indented answer) and every FAQ file under /usr/share/doc
// (FAQ_FILE) written as "Q. … A. …" paragraphs (base-files, xz-utils), as a numbered outline
// (sed, lsof: 291 of the 530 pairs) or as question headings ending in "?" (zlib, procps,
// valgrind, man-db, fonts-noto-core). A user's CSV/TSV/JSONL file gives a question and an
// answer column instead.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { FlambeauError } from "../../core/errors.js";
import { readStringColumns } from "../../data/table-columns.js";

export interface FaqPair {
  question: string;
  answer: string;
  /** Where the pair comes from (the FAQ file or the user's file). */
  source: string;
}

export const DEBIAN_FAQ = "/usr/share/doc/debian/FAQ/debian-faq.en.txt.gz";
const DOC = "/usr/share/doc";

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

/** Drops the parts of a plain-text answer that are layout, not prose (rules, "[1]" link lists). */
function cleanAnswer(lines: readonly string[]): string {
  return squash(
    lines
      .filter((l) => !/^\s*-{5,}\s*$/.test(l))
      .join("\n")
      .replace(/\s*\(\s*https?:\/\/[^)]*\)/g, ""),
  );
}

/** A question's heading, "2.2. Are there …" (the FAQ puts a no-break space after the number, which \s matches). */
const HEADING = /^\d+\.\d+\.\s+\S/;

/** The Debian FAQ's text rendering: "N.M. Question" (perhaps wrapped) then its indented answer. */
export function parseDebianFaq(text: string, source = DEBIAN_FAQ): FaqPair[] {
  const lines = text.split("\n");
  const out: FaqPair[] = [];
  // The table of contents repeats every heading indented; the body's headings start the line.
  let i = lines.findIndex((l) => /^1\.1\.\s/.test(l));
  while (i >= 0 && i < lines.length) {
    const q = [lines[i]!.replace(/^\d+\.\d+\.\s+/, "")];
    i++;
    // A wrapped heading continues unindented until the blank line.
    while (i < lines.length && lines[i]!.trim() !== "" && !/^\s/.test(lines[i]!)) q.push(lines[i++]!);
    const body: string[] = [];
    while (i < lines.length && !HEADING.test(lines[i]!) && !/^(Appendix|Chapter)\s/.test(lines[i]!)) body.push(lines[i++]!);
    const answer = cleanAnswer(body);
    if (answer) out.push({ question: squash(q.join(" ")), answer, source });
    // Skip chapter headings ("2. Getting and installing Debian GNU/Linux") to the next question.
    while (i < lines.length && !HEADING.test(lines[i]!)) i++;
  }
  return out;
}

/** "Q. question" paragraphs, each followed by an "A. answer" (several questions may share one answer). */
export function parseQaFaq(text: string, source: string): FaqPair[] {
  const out: FaqPair[] = [];
  let questions: string[] = [];
  let cur: { kind: "Q" | "A"; lines: string[] } | undefined;
  const flush = () => {
    if (!cur) return;
    if (cur.kind === "Q") questions.push(squash(cur.lines.join(" ")));
    else {
      const answer = cleanAnswer(cur.lines);
      for (const question of questions) if (answer) out.push({ question, answer, source });
      questions = [];
    }
    cur = undefined;
  };
  for (const line of text.split("\n")) {
    const m = /^([QA])[.:]\s+(.*)$/.exec(line);
    if (m) {
      flush();
      cur = { kind: m[1] as "Q" | "A", lines: [m[2]!] };
    } else if (/^\s*\*\s|^[=*-]{3,}/.test(line)) flush();
    else if (cur) {
      if (cur.kind === "Q" && line.trim() === "") continue;
      cur.lines.push(line);
    }
  }
  flush();
  return out;
}

/** A heading that asks: "Why does …?", "1. Is zlib Y2K-compliant?", "## How do I …?" at the start of a line. */
const ASKS = /^ ?(#+\s+|\d+(\.\d+)*\.\s+)?([A-Z].{5,150}\?)\s*$/;
const RULE = /^\s*([-=*~_]\s*){3,}$/;

/** FAQs whose questions are heading lines ending in "?" (perhaps numbered), each followed by its answer. */
export function parseHeadingFaq(text: string, source: string): FaqPair[] {
  const lines = text.split("\n");
  const out: FaqPair[] = [];
  let question: string | undefined;
  let body: string[] = [];
  const flush = () => {
    const answer = cleanAnswer(body);
    if (question && answer.split(" ").length >= 3) out.push({ question, answer, source });
    question = undefined;
    body = [];
  };
  lines.forEach((line, i) => {
    const m = ASKS.exec(line);
    const prev = i === 0 ? "" : lines[i - 1]!;
    if (m && (prev.trim() === "" || RULE.test(prev))) {
      flush();
      question = squash(m[3]!);
    } else if (!RULE.test(line)) body.push(line);
  });
  flush();
  return out;
}

/** A numbered outline heading at the start of a line: "4.1.  How do I …?" (sed) or "1.2.4\tWhy can't I …" (lsof). */
const OUTLINE = /^(\d+(?:\.\d+)+)\.?\s+(\S.*)$/;

/**
 * FAQs laid out as a numbered outline (the sed FAQ, lsof's 00FAQ): a table of contents, then
 * each heading again at the start of a line, wrapped onto indented lines up to a blank one, and
 * its indented answer up to the next line that starts at the margin. Only headings that ask
 * (end in "?") are questions: the others are chapters and notes ("1.5. FAQ abbreviations").
 */
export function parseOutlineFaq(text: string, source: string): FaqPair[] {
  const lines = text.split("\n");
  const first = lines.findIndex((l) => OUTLINE.test(l));
  if (first < 0) return [];
  // The body starts where the first heading comes again (after the table of contents), if it does.
  const again = lines.findIndex((l, i) => i > first && l.trim() === lines[first]!.trim());
  const out: FaqPair[] = [];
  let i = again > 0 ? again : first;
  while (i < lines.length) {
    const m = OUTLINE.exec(lines[i]!);
    i++;
    if (!m) continue;
    const q = [m[2]!];
    while (i < lines.length && lines[i]!.trim() !== "" && /^\s/.test(lines[i]!)) q.push(lines[i++]!);
    const body: string[] = [];
    while (i < lines.length && (lines[i]!.trim() === "" || /^\s/.test(lines[i]!))) body.push(lines[i++]!);
    const question = squash(q.join(" "));
    const answer = cleanAnswer(body);
    if (question.endsWith("?") && answer.split(" ").length >= 3) out.push({ question, answer, source });
  }
  return out;
}

const readDoc = (path: string): string => {
  const buf = readFileSync(path);
  return (path.endsWith(".gz") ? gunzipSync(buf) : buf).toString("utf8");
};

/** The FAQ files read under /usr/share/doc/<package>/: FAQ, FAQ.txt, FAQ.md (not the translations: FAQ-KR.md), faq.txt (xz-utils), sedfaq.txt (sed), 00FAQ (lsof); perhaps gzipped. */
const FAQ_FILE = /^(?:(?:00)?FAQ(?:\.txt|\.md)?|(?:sed)?faq\.txt)(?:\.gz)?$/;

/** Every FAQ pair installed here: the Debian FAQ, then the Q./A. FAQs under /usr/share/doc. */
export function debianFaqPairs(doc = DOC): FaqPair[] {
  const faq = join(doc, "debian/FAQ/debian-faq.en.txt.gz");
  if (!existsSync(faq))
    throw new FlambeauError("E_IO", `chat: no ${faq}; install the FAQ with \`apt-get install -y debian-faq\` as root (npm run setup does)`);
  const pairs = parseDebianFaq(readDoc(faq), faq);
  for (const pkg of readdirSync(doc).sort()) {
    const dir = join(doc, pkg);
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((f) => FAQ_FILE.test(f) && statSync(join(dir, f)).isFile());
    } catch {
      continue;
    }
    for (const f of names.sort()) {
      const path = join(dir, f);
      const text = readDoc(path);
      // The first layout that finds any pairs is the file's.
      for (const parse of [parseQaFaq, parseOutlineFaq, parseHeadingFaq]) {
        const found = parse(text, path);
        if (found.length) {
          pairs.push(...found);
          break;
        }
      }
    }
  }
  return pairs;
}

/** Question/answer rows of a CSV/TSV/JSONL/Parquet/Arrow file. */
export async function readFaqFile(path: string, columns: { question?: string; answer?: string } = {}): Promise<FaqPair[]> {
  if (!existsSync(path)) throw new FlambeauError("E_IO", `chat: no such file ${path} (built-in data: debian-faq)`);
  const q = columns.question ?? "question";
  const a = columns.answer ?? "answer";
  const cols = await readStringColumns(path, { question: q, answer: a }, "chat");
  return cols.rows.map((r) => ({ question: squash(r.question), answer: squash(r.answer), source: path }));
}

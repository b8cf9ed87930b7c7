// Streaming a text file line by line with bounded memory (1 MiB chunks), numbering the lines
// so errors can name them, and splitting a CSV line into fields.
import { closeSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { FlambeauError } from "../../core/errors.js";

/** Calls `f(line, lineNumber)` for each line of `file` (without its \n or \r\n); lines are 1-based. */
export function forEachLine(file: string, f: (line: string, lineNo: number) => void): void {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    const dec = new StringDecoder("utf8");
    let rest = "";
    let lineNo = 0;
    const emit = (line: string) => f(line.endsWith("\r") ? line.slice(0, -1) : line, ++lineNo);
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      const text = rest + dec.write(buf.subarray(0, got));
      let start = 0;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
        emit(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    rest += dec.end();
    if (rest.length > 0) emit(rest);
  } finally {
    closeSync(fd);
  }
}

/** The fields of one CSV line; quoted fields ("a,b", "say ""hi""") are allowed within the line. */
export function splitCsvLine(line: string, at: string): string[] {
  if (!line.includes('"')) return line.split(",");
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new FlambeauError("E_FORMAT", `${at}: unterminated quoted field (fields may not span lines here)`, "readCsv");
        field += line.slice(i, q);
        if (line[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const j = line.indexOf(",", i);
      field = line.slice(i, j < 0 ? line.length : j);
      i = j < 0 ? line.length : j;
    }
    out.push(field);
    if (i >= line.length) break;
    if (line[i] !== ",")
      throw new FlambeauError("E_FORMAT", `${at}: unexpected ${JSON.stringify(line[i])} after a closing quote`, "readCsv");
    i++;
    if (i === line.length) {
      out.push("");
      break;
    }
  }
  return out;
}

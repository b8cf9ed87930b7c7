// A small, forgiving MIME reader for raw e-mail (RFC 5322 headers, RFC 2045–2047 bodies):
// unfolds headers, decodes encoded words, walks multipart trees, undoes quoted-printable and
// base64, converts charsets, and turns HTML into text. Spam is often malformed on purpose,
// so nothing here throws on a bad part: it falls back to the raw bytes as Latin-1.

export interface ParsedEmail {
  headers: Map<string, string>;
  subject: string;
  from: string;
  /** The readable text of all text/plain and text/html parts. */
  body: string;
}

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString("latin1");

function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const cs = (charset ?? "utf-8")
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, "");
  try {
    return new TextDecoder(cs === "us-ascii" || cs === "ascii" ? "windows-1252" : cs).decode(bytes);
  } catch {
    return latin1(bytes);
  }
}

export function decodeQuotedPrintable(s: string): Uint8Array {
  const t = s.replace(/=\r?\n/g, "");
  const out: number[] = [];
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 61 /* = */ && /^[0-9A-Fa-f]{2}$/.test(t.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c & 0xff);
  }
  return Uint8Array.from(out);
}

/** RFC 2047 encoded words: =?charset?B|Q?text?= */
export function decodeHeaderWords(v: string): string {
  return v
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, "$1")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, cs: string, enc: string, text: string) => {
      const bytes = enc.toUpperCase() === "B" ? Buffer.from(text, "base64") : decodeQuotedPrintable(text.replace(/_/g, " "));
      return decodeCharset(bytes, cs.split("*")[0]);
    });
}

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : "";
  const headers = new Map<string, string>();
  let last = "";
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) headers.set(last, `${headers.get(last)} ${line.trim()}`);
    else {
      const c = line.indexOf(":");
      if (c <= 0) continue;
      last = line.slice(0, c).trim().toLowerCase();
      // Keep the first occurrence (e.g. the outermost Content-Type), append nothing for repeats.
      if (!headers.has(last)) headers.set(last, line.slice(c + 1).trim());
    }
  }
  return { headers, body };
}

function param(value: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, "i").exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", copy: "©", reg: "®" };

/** Visible text of an HTML fragment: scripts, styles and comments dropped, block tags as line breaks, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, " ")
    .replace(/<(script|style|head)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, " ")
    .replace(/<(br|p|div|tr|li|h[1-6]|table)\b[^>]*>/gi, "\n")
    .replace(/<\/?[a-zA-Z!][^>]*(?:>|$)/g, " ")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (m, e: string) => {
      if (e[0] === "#") {
        const code = e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : " ";
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/\s*\n\s*/g, "\n")
    .trim();
}

function partText(headers: Map<string, string>, body: string, depth: number): string {
  const ctype = headers.get("content-type") ?? "text/plain";
  const type = ctype.split(";")[0]!.trim().toLowerCase();
  if (type.startsWith("multipart/") && depth < 8) {
    const boundary = param(ctype, "boundary");
    if (boundary) {
      const parts = body.split(`--${boundary}`).slice(1);
      const texts: string[] = [];
      for (const p of parts) {
        if (p.startsWith("--")) break;
        const sub = splitHeaders(p.replace(/^\r?\n/, ""));
        const t = partText(sub.headers, sub.body, depth + 1);
        if (t) texts.push(t);
      }
      // multipart/alternative repeats one message as plain text and HTML: keep one.
      return type === "multipart/alternative" && texts.length > 1
        ? texts.reduce((a, b) => (b.length > a.length ? b : a))
        : texts.join("\n");
    }
  }
  if (type === "message/rfc822" && depth < 8) {
    const sub = splitHeaders(body);
    return partText(sub.headers, sub.body, depth + 1);
  }
  if (!(type.startsWith("text/") || ctype === "")) return "";
  const enc = (headers.get("content-transfer-encoding") ?? "").trim().toLowerCase();
  let bytes: Uint8Array;
  if (enc === "base64") bytes = Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ""), "base64");
  else if (enc === "quoted-printable") bytes = decodeQuotedPrintable(body);
  else bytes = Buffer.from(body, "latin1");
  const text = decodeCharset(bytes, param(ctype, "charset"));
  return type === "text/html" || /<html|<body|<\/(p|div|font|td)>/i.test(text.slice(0, 5000)) ? htmlToText(text) : text.trim();
}

/** Parses one raw message; `raw` is the file's bytes as Latin-1 so every byte survives. */
export function parseEmail(raw: string): ParsedEmail {
  // An mbox "From " envelope line precedes the headers in some corpora.
  const { headers, body } = splitHeaders(raw.replace(/^From [^\n]*\n/, ""));
  return {
    headers,
    subject: decodeHeaderWords(headers.get("subject") ?? ""),
    from: decodeHeaderWords(headers.get("from") ?? ""),
    body: partText(headers, body, 0),
  };
}

/** The text a classifier sees: subject, sender and body. */
export function emailText(raw: string): string {
  const e = parseEmail(raw);
  return `Subject: ${e.subject}\nFrom: ${e.from}\n${e.body}`;
}

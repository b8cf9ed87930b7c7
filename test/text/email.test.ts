import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeHeaderWords, decodeQuotedPrintable, emailText, htmlToText, parseEmail } from "../../src/text/email.js";

describe("e-mail parsing", () => {
  test("quoted-printable with soft line breaks and UTF-8 bytes", () => {
    assert.equal(Buffer.from(decodeQuotedPrintable("caf=C3=A9 =\nau lait=3D")).toString("utf8"), "café au lait=");
  });
  test("RFC 2047 encoded words (B and Q), adjacent words joined", () => {
    assert.equal(decodeHeaderWords("=?utf-8?B?w7xiZXI=?= =?iso-8859-1?Q?caf=E9_noir?="), "übercafé noir");
  });
  test("HTML: scripts, styles and comments dropped, entities decoded, tags removed", () => {
    const t = htmlToText(
      "<html><head><style>p{}</style></head><body><!-- x --><p>Buy&nbsp;now &amp; save &#36;5<br>today</p><script>evil()</script></body>",
    );
    assert.equal(t, "Buy now & save $5\ntoday");
    assert.equal(htmlToText("<b>unclosed <i"), "unclosed");
  });
  test("multipart/alternative keeps one copy; base64 parts decoded with their charset", () => {
    const raw = [
      "From: =?utf-8?Q?J=C3=B6rg?= <j@x.org>",
      "Subject: Hello",
      "  world",
      'Content-Type: multipart/alternative; boundary="XX"',
      "",
      "preamble",
      "--XX",
      "Content-Type: text/plain; charset=iso-8859-1",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "Gr=FC=DFe",
      "--XX",
      "Content-Type: text/html; charset=utf-8",
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from("<p>Grüße aus <b>Köln</b></p>").toString("base64"),
      "--XX--",
      "",
    ].join("\n");
    const e = parseEmail(raw);
    assert.equal(e.subject, "Hello world");
    assert.equal(e.from, "Jörg <j@x.org>");
    assert.equal(e.body, "Grüße aus Köln");
    assert.equal(emailText(raw), "Subject: Hello world\nFrom: Jörg <j@x.org>\nGrüße aus Köln");
  });
  test("garbage never throws", () => {
    for (const raw of [
      "",
      "no headers at all",
      "Content-Type: multipart/mixed; boundary=\n\n--",
      "Content-Transfer-Encoding: base64\n\n!!!",
    ])
      assert.equal(typeof emailText(raw), "string");
  });
});

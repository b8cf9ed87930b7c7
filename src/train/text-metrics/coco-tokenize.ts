// What the COCO caption evaluation scores: pycocoevalcap runs Stanford's PTBTokenizer (Java),
// lowercases, and drops punctuation tokens. This is that step for plain captions without the
// JVM: lowercase, punctuation split from words, and the punctuation pycocoevalcap removes
// (. , ? ! : ; - -- ... and quotes/brackets) dropped. Contractions and odd Unicode are not
// split as PTB would; captions written by people or models here do not need it.

const DROPPED = new Set(["''", "'", "``", "`", ".", "?", "!", ",", ":", "-", "--", "...", ";", "(", ")", "[", "]", "{", "}", '"']);

/** Caption words as a model writes them: lowercase, punctuation as separate tokens. */
export function captionWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/(\.\.\.|--|[.,?!:;"()[\]{}`])/g, " $1 ")
    .replace(/(^|\s)'|'(\s|$)/g, " ' ")
    .split(/\s+/)
    .filter(Boolean);
}

/** A caption as pycocoevalcap scores it: lowercase words separated by one space, punctuation removed. */
export function cocoTokenize(text: string): string {
  return captionWords(text)
    .filter((w) => !DROPPED.has(w))
    .join(" ");
}

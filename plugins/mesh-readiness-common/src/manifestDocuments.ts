/*
 * Cuts a YAML stream into its documents without parsing it, so each
 * document can be parsed on its own: by the fast parser when it uses
 * nothing the two parsers read differently, else by the `yaml` library,
 * whose errors and positions are the ones users see. A document's text
 * is kept so positions inside it can be found later, only where needed.
 */

/**
 * One document of a file: its text and where it starts.
 *
 * @public
 */
export interface ManifestDocument {
  /** The document's own text, from its `---` line (if any) to the next one. */
  text: string;
  /** 1-based line in the file where `text` begins. */
  line: number;
}

/** `---` at the start of a line begins a document (YAML 1.2, 9.1.2). */
const DOCUMENT_START = /^---(?:[ \t\r]|$)/;

/**
 * Streams whose documents cannot be cut line by line: directives and
 * document end markers change what the next `---` means. They are parsed
 * whole, as one piece.
 */
const NEEDS_WHOLE_STREAM = /^(?:%|\.\.\.(?:[ \t\r]|$))/m;

/** Whether each `---` line of the stream starts a document: no directives or end markers. */
export function cutsAtEveryDocumentStart(text: string): boolean {
  return !NEEDS_WHOLE_STREAM.test(text);
}

/**
 * The documents of a stream, in order; comment-only pieces are kept (they parse to nothing).
 *
 * @public
 */
export function splitDocuments(text: string): ManifestDocument[] {
  if (!cutsAtEveryDocumentStart(text)) return [{ text, line: 1 }];
  const documents: ManifestDocument[] = [];
  let start = 0;
  let startLine = 1;
  let line = 1;
  let offset = 0;
  while (offset <= text.length) {
    const end = text.indexOf('\n', offset);
    const lineEnd = end === -1 ? text.length : end;
    if (
      offset > start &&
      DOCUMENT_START.test(text.slice(offset, Math.min(lineEnd, offset + 4)))
    ) {
      documents.push({ text: text.slice(start, offset), line: startLine });
      start = offset;
      startLine = line;
    }
    if (end === -1) break;
    offset = end + 1;
    line++;
  }
  documents.push({ text: text.slice(start), line: startLine });
  return documents;
}

/**
 * The 1-based line (within the document) of its first content: the line
 * the `yaml` library gives as the start of the document's contents.
 */
export function firstContentLine(documentText: string): number | undefined {
  let line = 1;
  let offset = 0;
  while (offset <= documentText.length) {
    const end = documentText.indexOf('\n', offset);
    let content = documentText.slice(
      offset,
      end === -1 ? documentText.length : end,
    );
    if (line === 1 && DOCUMENT_START.test(content)) content = content.slice(3);
    const trimmed = content.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) return line;
    if (end === -1) return undefined;
    offset = end + 1;
    line++;
  }
  return undefined;
}

/*
 * Reads a Kubernetes list answer item by item, as its bytes arrive: each
 * element of the top-level `items` array is handed to the caller, parsed
 * on its own, while the rest of the page is still on its way. Neither the
 * page's whole text nor the whole parsed page is ever held: a page of 250
 * listed pods is about 2.5 MB of JSON and several times that once parsed,
 * and with the lists of every kind read at once those pages outlived V8's
 * young generation and piled up in the old one (yarn bench:scan-live).
 *
 * JSON.parse stays the parser. This only finds where each item begins and
 * ends: it follows strings (and their escapes) and the nesting of objects
 * and arrays byte by byte, which is safe in UTF-8 because every byte of a
 * multi-byte character is 0x80 or above and never looks like `"`, `\`,
 * `{`, `}`, `[`, `]` or `,`. Everything outside `items` (kind, metadata
 * with its `continue` token) is parsed at the end, with `items` left empty.
 */
import { answerChunks } from './readAnswerBody';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

const isSpace = (b: number) =>
  b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** The answer was not one JSON object, or it ended inside one. */
export class MalformedListError extends Error {
  readonly name = 'MalformedListError';
}

/**
 * Splits one JSON object's bytes into the elements of its top-level
 * `items` array (each handed to `onItem` as text) and the rest.
 */
class ListSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The last string closed at depth 1 (a key, when a colon follows), while short enough to be `items`. */
  private key = '';
  private keyBytes: number[] | undefined;
  private lastKey = '';
  /** Inside the top-level `items` array: its elements go to onItem, not into the rest. */
  private inItems = false;
  /** Whether an element of `items` is being read; its bytes from earlier chunks; where it starts in this one. */
  private inElement = false;
  private elementParts: Uint8Array[] = [];
  private elementFrom = 0;
  /** The element is a number, `true`, `false` or `null`: it ends at the next comma, `]` or space. */
  private scalarElement = false;
  private readonly restParts: Uint8Array[] = [];
  private restFrom = 0;
  private ended = false;

  constructor(private readonly onItem: (text: string) => void) {}

  write(chunk: Uint8Array) {
    this.elementFrom = 0;
    this.restFrom = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i];
      if (this.ended) {
        if (!isSpace(b))
          throw new MalformedListError('more came after the end of the answer');
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) {
          this.inString = false;
          if (this.depth === 1) {
            this.key = this.keyBytes
              ? String.fromCharCode(...this.keyBytes)
              : '';
            this.keyBytes = undefined;
          }
          if (this.inElement && this.depth === 2) this.endElement(chunk, i + 1);
        } else if (this.keyBytes) {
          if (this.keyBytes.length < 8) this.keyBytes.push(b);
          else this.keyBytes = undefined;
        }
        continue;
      }
      if (
        this.scalarElement &&
        (b === COMMA || b === CLOSE_ARRAY || isSpace(b))
      ) {
        this.scalarElement = false;
        this.endElement(chunk, i);
      }
      if (this.inItems && this.depth === 2 && !this.inElement) {
        if (b === CLOSE_ARRAY) {
          // The end of `items`: from here on, bytes belong to the rest again.
          this.inItems = false;
          this.restFrom = i;
        } else if (!isSpace(b) && b !== COMMA) {
          this.inElement = true;
          this.elementFrom = i;
          if (b !== OPEN_OBJECT && b !== OPEN_ARRAY && b !== QUOTE)
            this.scalarElement = true;
        }
      }
      switch (b) {
        case QUOTE:
          this.inString = true;
          if (this.depth === 1) this.keyBytes = [];
          break;
        case COLON:
          if (this.depth === 1) this.lastKey = this.key;
          break;
        case OPEN_OBJECT:
        case OPEN_ARRAY:
          if (this.depth === 0 && b !== OPEN_OBJECT)
            throw new MalformedListError('the answer is not a JSON object');
          this.depth++;
          if (
            this.depth === 2 &&
            b === OPEN_ARRAY &&
            this.lastKey === 'items'
          ) {
            // Keep `[` in the rest, leave out what follows until its `]`.
            this.restParts.push(chunk.subarray(this.restFrom, i + 1));
            this.inItems = true;
          }
          break;
        case CLOSE_OBJECT:
        case CLOSE_ARRAY:
          this.depth--;
          if (this.depth < 0)
            throw new MalformedListError(
              'the answer closes more than it opens',
            );
          if (this.depth === 1) this.lastKey = '';
          if (this.inElement && this.depth === 2) this.endElement(chunk, i + 1);
          if (this.depth === 0) this.ended = true;
          break;
        default:
          if (this.depth === 0 && !isSpace(b))
            throw new MalformedListError('the answer is not a JSON object');
      }
    }
    // Keep what is unfinished: the element being read, or the rest.
    if (this.inElement) this.elementParts.push(chunk.slice(this.elementFrom));
    else if (!this.inItems) this.restParts.push(chunk.subarray(this.restFrom));
  }

  private endElement(chunk: Uint8Array, end: number) {
    const last = chunk.subarray(this.elementFrom, end);
    const bytes = this.elementParts.length
      ? Buffer.concat([...this.elementParts, last])
      : last;
    this.elementParts = [];
    this.inElement = false;
    this.onItem(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
        'utf8',
      ),
    );
  }

  /** The rest of the object (everything but the elements of `items`), parsed. */
  end(): any {
    if (!this.ended)
      throw new MalformedListError('the answer ended before its JSON did');
    return JSON.parse(Buffer.concat(this.restParts).toString('utf8'));
  }
}

/**
 * Reads a successful list answer: `onItem` gets each element of `items`,
 * parsed, in order, as it arrives; the result is the rest of the answer
 * (its `metadata`, with the `continue` token), `items` left empty. A body
 * that breaks off throws AnswerBrokenOffError (readAnswerBody), one that is
 * not JSON a MalformedListError or JSON.parse's SyntaxError.
 */
export async function readListItems(
  response: Response,
  onItem: (item: any) => void,
  options: { stallSeconds?: number } = {},
): Promise<any> {
  const splitter = new ListSplitter(text => onItem(JSON.parse(text)));
  for await (const chunk of answerChunks(response, options))
    splitter.write(chunk);
  return splitter.end();
}

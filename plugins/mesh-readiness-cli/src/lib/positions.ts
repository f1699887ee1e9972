/*
 * Positions inside one document, found with js-yaml (several times faster
 * than the `yaml` library): its listener reports where each node starts,
 * which gives every mapping and list its offset; a key's own offset is then
 * found by looking along the mapping's column. Returns undefined where it
 * cannot be sure (flow style, anchors, quoted keys with escapes), and the
 * caller asks the `yaml` library instead.
 */
import { CORE_SCHEMA, load } from 'js-yaml';

export interface DocumentPositions {
  /** Offset of the field at `path` (a key for a mapping entry, the item for a list entry); undefined when not sure. */
  offsetOf(path: Array<string | number>): number | undefined;
}

/** Skips spaces, line ends and comments: where a node's content begins. */
function contentStart(text: string, offset: number): number {
  let i = offset;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') i++;
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else break;
  }
  return i;
}

export function documentPositions(text: string): DocumentPositions | undefined {
  const starts = new WeakMap<object, number>();
  const open: number[] = [];
  let root: unknown;
  try {
    root = load(text, {
      schema: CORE_SCHEMA,
      listener(event, state) {
        if (event === 'open') open.push(state.position);
        else {
          const start = open.pop();
          const result = state.result as unknown;
          if (
            start !== undefined &&
            result !== null &&
            typeof result === 'object' &&
            !starts.has(result)
          ) {
            starts.set(result, contentStart(text, start));
          }
        }
      },
    });
  } catch {
    return undefined;
  }

  /** The offset of `key` in the block mapping that starts at `mapStart`. */
  const keyOffset = (mapStart: number, key: string): number | undefined => {
    if (text[mapStart] === '{') return undefined; // flow style: let the yaml library say
    const lineStart = text.lastIndexOf('\n', mapStart - 1) + 1;
    const column = mapStart - lineStart;
    const matches = (at: number) => {
      for (const quoted of [key, `"${key}"`, `'${key}'`]) {
        if (text.startsWith(quoted, at)) {
          const after = contentStartOnLine(text, at + quoted.length);
          if (text[after] === ':') return true;
        }
      }
      return false;
    };
    if (matches(mapStart)) return mapStart;
    let next = text.indexOf('\n', mapStart);
    while (next !== -1) {
      const start = next + 1;
      const content = contentStartOnLine(text, start);
      const indent = content - start;
      next = text.indexOf('\n', start);
      if (
        content >= text.length ||
        text[content] === '\n' ||
        text[content] === '\r' ||
        text[content] === '#'
      )
        continue;
      if (indent < column) return undefined; // left the mapping
      if (indent === column && matches(content)) return content;
    }
    return undefined;
  };

  return {
    offsetOf(path) {
      let node: unknown = root;
      let at =
        node !== null && typeof node === 'object'
          ? starts.get(node)
          : undefined;
      for (const step of path) {
        if (node === null || typeof node !== 'object') break;
        const nodeStart = starts.get(node);
        if (nodeStart === undefined) return undefined;
        if (Array.isArray(node)) {
          if (typeof step !== 'number' || step >= node.length) break;
          const item = node[step];
          const itemStart =
            item !== null && typeof item === 'object'
              ? starts.get(item)
              : undefined;
          if (itemStart === undefined) return undefined; // a scalar item: the yaml library knows
          at = itemStart;
          node = item;
        } else {
          if (
            typeof step !== 'string' ||
            !Object.prototype.hasOwnProperty.call(node, step)
          )
            break;
          const offset = keyOffset(nodeStart, step);
          if (offset === undefined) return undefined;
          at = offset;
          node = (node as Record<string, unknown>)[step];
        }
      }
      return at;
    },
  };
}

function contentStartOnLine(text: string, offset: number): number {
  let i = offset;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

/*
 * A list answer read item by item over real HTTP, its bytes arriving in
 * chunks cut anywhere: inside a string, an escape, a multi-byte character,
 * between an item's braces. What the caller gets must be what JSON.parse
 * of the whole page gives. (The real API server's pages, through the
 * Kubernetes plugin's proxy, are read in cluster/liveCluster.test.ts.)
 */
import { serving } from './__testUtils__/loopbackServer';
import { AnswerBrokenOffError } from './readAnswerBody';
import { MalformedListError, readListItems } from './readListItems';

const PAGE = {
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: {
    resourceVersion: '42',
    continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ',
  },
  items: [
    {
      metadata: {
        name: 'web-0',
        namespace: 'shop',
        annotations: {
          note: 'braces } ] [ { and "quotes", a backslash \\ and "items":[1]',
        },
      },
      spec: {
        containers: [
          { name: 'web', args: ['--greeting=grüß dich 👋', '\u2028'] },
        ],
      },
    },
    {
      metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' } },
      spec: { containers: [] },
    },
  ],
};

/** Serves `bytes` in pieces cut at `cuts`, a moment apart. */
function servingInPieces(bytes: Buffer, cuts: number[], declareLength = true) {
  return serving(async (_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(declareLength ? { 'content-length': String(bytes.length) } : {}),
    });
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      res.write(bytes.subarray(from, cut));
      from = cut;
      await new Promise(r => setTimeout(r, 5));
    }
    res.end();
  });
}

async function read(bytes: Buffer, cuts: number[], declareLength = true) {
  const server = await servingInPieces(bytes, cuts, declareLength);
  try {
    const items: any[] = [];
    const rest = await readListItems(await fetch(server.url), item =>
      items.push(item),
    );
    return { items, rest };
  } finally {
    server.close();
  }
}

it('hands over each item as JSON.parse of the whole page has it, and the rest with items left empty', async () => {
  const bytes = Buffer.from(JSON.stringify(PAGE, null, 1));
  const { items, rest } = await read(bytes, [1]);
  expect(items).toEqual(PAGE.items);
  expect(rest).toEqual({ ...PAGE, items: [] });
});

it('reads the same whatever byte the chunks are cut at', async () => {
  const bytes = Buffer.from(JSON.stringify(PAGE));
  const marks = [
    '"braces',
    '\\\\',
    '\\"quotes',
    'grü',
    '👋',
    '},{',
    '"items":[',
    ']}',
  ].map(m => bytes.indexOf(m));
  expect(marks.every(m => m > 0)).toBe(true);
  // Each mark and the byte after it: inside a string, in an escape, in the middle of a multi-byte character.
  const cuts = [...new Set(marks.flatMap(m => [m, m + 1, m + 2]))].sort(
    (a, b) => a - b,
  );
  const { items, rest } = await read(bytes, cuts, false);
  expect(items).toEqual(PAGE.items);
  expect(rest.metadata.continue).toBe(PAGE.metadata.continue);
});

it('reads a page whose items come before its metadata, and an empty list', async () => {
  const reordered = Buffer.from(
    JSON.stringify({
      items: PAGE.items,
      metadata: PAGE.metadata,
      kind: 'PodList',
    }),
  );
  const first = await read(reordered, [10]);
  expect(first.items).toEqual(PAGE.items);
  expect(first.rest.metadata).toEqual(PAGE.metadata);
  const empty = await read(
    Buffer.from('{"kind":"PodList","metadata":{},"items":[]}'),
    [],
  );
  expect(empty).toEqual({
    items: [],
    rest: { kind: 'PodList', metadata: {}, items: [] },
  });
});

it('says an answer that ends inside its JSON is malformed, and one cut short of its length broke off', async () => {
  const bytes = Buffer.from(JSON.stringify(PAGE));
  const server = await servingInPieces(bytes.subarray(0, 200), [], false);
  try {
    await expect(
      readListItems(await fetch(server.url), () => {}),
    ).rejects.toThrow(MalformedListError);
  } finally {
    server.close();
  }
  const short = await serving((req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(bytes.length),
    });
    res.write(bytes.subarray(0, 200), () => req.socket.destroy());
  });
  try {
    await expect(
      readListItems(await fetch(short.url), () => {}),
    ).rejects.toThrow(AnswerBrokenOffError);
  } finally {
    short.close();
  }
});

it('refuses an answer that is not one JSON object', async () => {
  await expect(read(Buffer.from('[{"a":1}]'), [])).rejects.toThrow(
    MalformedListError,
  );
  await expect(
    read(Buffer.from('<html>proxy error</html>'), []),
  ).rejects.toThrow(MalformedListError);
  await expect(
    read(Buffer.from('{"items":[{"a":1}]} {"b":2}'), []),
  ).rejects.toThrow(MalformedListError);
});

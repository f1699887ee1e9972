/*
 * An answer read to its end, and one cut off: the two ways a body stops
 * short (it says more than it sends, or it just stops coming). The real
 * case, through the Kubernetes plugin's proxy, is in cluster/faults.test.ts.
 */
import { serving } from './__testUtils__/loopbackServer';
import { AnswerBrokenOffError, readAnswerBody } from './readAnswerBody';

const BODY = JSON.stringify({
  kind: 'PodList',
  items: [{ metadata: { name: 'web' } }],
});

it('reads a whole answer, chunk by chunk', async () => {
  const server = await serving((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(BODY.slice(0, 10));
    res.end(BODY.slice(10));
  });
  try {
    expect(await readAnswerBody(await fetch(server.url))).toBe(BODY);
  } finally {
    server.close();
  }
});

it('says an answer broke off when it stops coming, and how much came', async () => {
  const server = await serving((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(BODY.length),
    });
    res.write(BODY.slice(0, 10)); // and nothing more, the connection left open
  });
  try {
    const reading = readAnswerBody(await fetch(server.url), {
      stallSeconds: 0.2,
    });
    await expect(reading).rejects.toThrow(AnswerBrokenOffError);
    await expect(reading).rejects.toThrow(
      `the answer broke off after 10 of ${BODY.length} bytes: nothing more came for 0.2 s`,
    );
  } finally {
    server.close();
  }
});

it('says an answer broke off when its connection closes before the length it declared', async () => {
  const server = await serving((req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(BODY.length),
    });
    res.write(BODY.slice(0, 10), () => req.socket.destroy());
  });
  try {
    await expect(readAnswerBody(await fetch(server.url))).rejects.toThrow(
      /^the answer broke off after 10 of \d+ bytes \(/,
    );
  } finally {
    server.close();
  }
});

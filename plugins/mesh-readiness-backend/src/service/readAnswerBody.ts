/*
 * Reads one answer of the Kubernetes plugin's proxy to its end, and tells a
 * complete answer from one that was cut off. When a cluster's connection
 * breaks after the headers, the proxy (http-proxy, inside the Kubernetes
 * backend) neither ends nor aborts its own response to us: the body just
 * stops coming. Waiting for it would hold the cluster until
 * `clusterTimeoutSeconds`, so an answer whose body stops for
 * ANSWER_STALL_SECONDS is taken as broken off. The API server writes a page
 * it has encoded in one go; a pause that long inside a body is a cut.
 */

/** How long a body may stop between two chunks before the answer counts as broken off. */
export const ANSWER_STALL_SECONDS = 10;

/** The answer stopped before its end: a cut connection, or a body shorter than it said. */
export class AnswerBrokenOffError extends Error {
  readonly name = 'AnswerBrokenOffError';
}

function describeLength(received: number, declared: string | null): string {
  return declared ? `${received} of ${declared} bytes` : `${received} bytes`;
}

/**
 * The body's chunks as they come; an AnswerBrokenOffError when it stops or
 * ends short. Reading chunk by chunk lets a caller drop what it has used
 * before the rest arrives (readListItems).
 */
export async function* answerChunks(
  response: Response,
  options: { stallSeconds?: number } = {},
): AsyncGenerator<Uint8Array> {
  if (!response.body) return;
  const stallSeconds = options.stallSeconds ?? ANSWER_STALL_SECONDS;
  // A compressed body is counted after decompression: its declared length cannot be compared.
  const declared = response.headers.get('content-encoding')
    ? null
    : response.headers.get('content-length');
  const reader = response.body.getReader();
  let received = 0;
  let finished = false;
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<'stalled'>(resolve => {
        timer = setTimeout(() => resolve('stalled'), stallSeconds * 1000);
      });
      let chunk: ReadableStreamReadResult<Uint8Array> | 'stalled';
      try {
        chunk = await Promise.race([reader.read(), stalled]);
      } catch (e) {
        // The connection to the proxy itself closed early (undici: "terminated").
        throw new AnswerBrokenOffError(
          `the answer broke off after ${describeLength(received, declared)} (${
            (e as Error)?.message ?? e
          })`,
        );
      } finally {
        clearTimeout(timer);
      }
      if (chunk === 'stalled') {
        throw new AnswerBrokenOffError(
          `the answer broke off after ${describeLength(
            received,
            declared,
          )}: nothing more came for ${stallSeconds} s (the cluster's connection was cut mid-answer)`,
        );
      }
      if (chunk.done) break;
      received += chunk.value.byteLength;
      yield chunk.value;
    }
    finished = true;
  } finally {
    // Stopped early (stalled, or the caller gave up): closing our side ends the proxy's hanging response too.
    if (!finished) reader.cancel().catch(() => {});
  }
  if (declared && Number(declared) !== received) {
    throw new AnswerBrokenOffError(
      `the answer broke off after ${describeLength(received, declared)}`,
    );
  }
}

/** The body as text; an AnswerBrokenOffError when it stops or ends short. */
export async function readAnswerBody(
  response: Response,
  options: { stallSeconds?: number } = {},
): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of answerChunks(response, options)) {
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

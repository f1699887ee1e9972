/*
 * A relay on loopback in front of the test API server, to inject one fault
 * a real cluster has (an expired token, a server going away mid-list, an
 * answer cut off mid-body) at a chosen request, or to stand for
 * `kubectl proxy`. Everything else passes
 * through untouched, credentials included.
 */
import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';

/**
 * What to do with one request: pass it on, answer it here, or pass on the
 * API server's real answer but cut the connection after its first bytes.
 */
export type RelayDecision =
  | 'forward'
  | { cutAfterBytes: number }
  | ((res: http.ServerResponse, req: http.IncomingMessage) => void);

export async function startRelay(
  decide: (
    req: http.IncomingMessage,
  ) => RelayDecision | Promise<RelayDecision> = () => 'forward',
  options: { authorization?: string } = {},
) {
  const target = new URL(process.env.MR_KUBE_SERVER!);
  const requests: string[] = [];
  const server = http.createServer(async (req, res) => {
    requests.push(req.url!);
    const decision = await decide(req);
    if (typeof decision === 'function') {
      decision(res, req);
      return;
    }
    const cutAfter =
      decision === 'forward' ? undefined : decision.cutAfterBytes;
    const upstream = https.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        // With `authorization`, it adds credentials itself, as `kubectl proxy` does.
        headers: {
          ...req.headers,
          host: target.host,
          ...(options.authorization
            ? { authorization: options.authorization }
            : {}),
        },
        ca: Buffer.from(process.env.MR_KUBE_CA_DATA!, 'base64'),
      },
      answer => {
        res.writeHead(answer.statusCode!, answer.headers);
        if (cutAfter === undefined) {
          answer.pipe(res);
          return;
        }
        // The headers and the start of the body, then the connection goes, as when a server dies mid-write.
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (sent >= cutAfter) return;
          const part = chunk.subarray(0, cutAfter - sent);
          sent += part.length;
          if (sent < cutAfter) {
            res.write(part);
            return;
          }
          answer.destroy();
          res.write(part, () => req.socket.destroy());
        });
        answer.on('end', () => {
          if (sent < cutAfter) res.end();
        });
      },
    );
    upstream.on('error', e => {
      // After a cut the answer is already half sent: nothing more to say.
      if (res.headersSent) return;
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(upstream);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/*
 * A relay on loopback in front of the test API server, to inject one fault
 * a real cluster has (an expired token, a server going away mid-list) at a
 * chosen request, or to stand for `kubectl proxy`. Everything else passes
 * through untouched, credentials included.
 */
import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';

/** What to do with one request: pass it on, or answer it here. */
export type RelayDecision = 'forward' | ((res: http.ServerResponse, req: http.IncomingMessage) => void);

export async function startRelay(
  decide: (req: http.IncomingMessage) => RelayDecision | Promise<RelayDecision> = () => 'forward',
  options: { authorization?: string } = {},
) {
  const target = new URL(process.env.MR_KUBE_SERVER!);
  const requests: string[] = [];
  const server = http.createServer(async (req, res) => {
    requests.push(req.url!);
    const decision = await decide(req);
    if (decision !== 'forward') {
      decision(res, req);
      return;
    }
    const upstream = https.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        // With `authorization`, it adds credentials itself, as `kubectl proxy` does.
        headers: { ...req.headers, host: target.host, ...(options.authorization ? { authorization: options.authorization } : {}) },
        ca: Buffer.from(process.env.MR_KUBE_CA_DATA!, 'base64'),
      },
      answer => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', e => {
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

/*
 * An HTTPS proxy on loopback that stands in for a cloud's token endpoints
 * on their own host names, for the SDK paths whose token URL cannot be
 * changed (gtoken posts a service account key's assertion to a fixed
 * https://www.googleapis.com/oauth2/v4/token; MSAL asks
 * https://login.microsoftonline.com). The SDKs reach it as they reach any
 * egress proxy, through `HTTPS_PROXY`; it terminates TLS for the hosts it
 * stands in for with a certificate from a throwaway CA that this process
 * trusts while the proxy runs (`tls.setDefaultCACertificates`, what
 * NODE_EXTRA_CA_CERTS does at start), and refuses to tunnel anywhere else,
 * so that a test never reaches the real cloud.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

export interface TokenRequest {
  host: string;
  method: string;
  path: string;
  query: URLSearchParams;
  /** The request body, parsed as a form when it is one. */
  form: URLSearchParams;
}

/** Answers one request to a stood-in host: a status and a JSON body. */
export type TokenEndpoint = (request: TokenRequest) => {
  status: number;
  body: unknown;
};

/** A CA and a serving certificate for `hosts`, made with openssl (as scripts/kube makes the API server's). */
function throwawayCertificates(hosts: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'mr-cloud-tls-'));
  const run = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    const ec = [
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
    ];
    run(
      'req',
      '-x509',
      '-new',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=mesh-readiness-test-cloud-ca',
    );
    writeFileSync(
      join(dir, 'ext.cnf'),
      [
        'basicConstraints = CA:FALSE',
        'keyUsage = critical, digitalSignature, keyEncipherment',
        'extendedKeyUsage = serverAuth',
        `subjectAltName = ${hosts.map(h => `DNS:${h}`).join(', ')}`,
      ].join('\n'),
    );
    run(
      'req',
      '-new',
      ...ec,
      '-keyout',
      'serving.key',
      '-out',
      'serving.csr',
      '-subj',
      `/CN=${hosts[0]}`,
    );
    run(
      'x509',
      '-req',
      '-in',
      'serving.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'serving.crt',
      '-days',
      '1',
      '-extfile',
      'ext.cnf',
    );
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    return {
      ca: read('ca.crt'),
      cert: read('serving.crt'),
      key: read('serving.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startCloudTokenProxy(
  endpoints: Record<string, TokenEndpoint>,
) {
  const hosts = Object.keys(endpoints);
  const { ca, cert, key } = throwawayCertificates(hosts);
  const trustedBefore = tls.getCACertificates('default');
  tls.setDefaultCACertificates([...trustedBefore, ca]);

  const requests: TokenRequest[] = [];
  const refused: string[] = [];
  const secureContext = tls.createSecureContext({ cert, key });
  // What arrives inside a tunnel, decrypted: the stood-in endpoints.
  const inside = http.createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const host = String(req.headers.host).replace(/:443$/, '');
    const url = new URL(req.url!, `https://${host}`);
    const one = {
      host,
      method: req.method!,
      path: url.pathname,
      query: url.searchParams,
      form: new URLSearchParams(raw),
    };
    requests.push(one);
    const answer = endpoints[host]?.(one) ?? {
      status: 404,
      body: { error: 'not_found' },
    };
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  const proxy = http.createServer((req, res) => {
    // Only tunnels: a plain http request through the proxy is not a token request.
    refused.push(String(req.url));
    res.writeHead(403);
    res.end();
  });
  proxy.on('connect', (req: http.IncomingMessage, socket: Socket) => {
    const [host, port] = String(req.url).split(':');
    if (!endpoints[host] || port !== '443') {
      refused.push(String(req.url));
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n', () => {
      inside.emit(
        'connection',
        new tls.TLSSocket(socket, { isServer: true, secureContext }),
      );
    });
  });
  await new Promise<void>(r => proxy.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    requests,
    /** CONNECTs and requests it would not tunnel: anything but the stood-in hosts. */
    refused,
    close: async () => {
      tls.setDefaultCACertificates(trustedBefore);
      proxy.closeAllConnections();
      inside.closeAllConnections();
      await new Promise<void>(r => proxy.close(() => r()));
    },
  };
}

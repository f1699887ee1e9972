/*
 * Loopback stand-ins of the two cloud token endpoints whose address the
 * Google and Azure SDKs let the environment override, so that the
 * Kubernetes plugin's `googleServiceAccount` and `azure` strategies run
 * unchanged, as they do on a GKE or AKS node:
 * - GKE's metadata server (Workload Identity), which google-auth-library's
 *   application default credentials ask for the node's or pod's service
 *   account token; gcp-metadata reads its address from `GCE_METADATA_HOST`;
 * - Azure's instance metadata service (managed identity, as AKS pod
 *   identity serves it), which `DefaultAzureCredential` asks through MSAL;
 *   MSAL reads its address from `AZURE_POD_IDENTITY_AUTHORITY_HOST`.
 * Each answers only what the real endpoint answers to a well-formed
 * request (its required metadata header), and records what was asked.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

interface Asked {
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
}

async function serve(handle: (asked: Asked, res: http.ServerResponse) => void) {
  const asked: Asked[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://metadata');
    const one = {
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
    };
    asked.push(one);
    handle(one, res);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

/** GCE/GKE's metadata server, handing out `accessToken` as the default service account's. */
export function startGceMetadataServer(accessToken: string) {
  return serve((asked, res) => {
    const send = (code: number, body: string, type = 'application/text') => {
      res.writeHead(code, {
        'metadata-flavor': 'Google',
        'content-type': type,
      });
      res.end(body);
    };
    // The real server refuses a request without the header, so that a browser or a proxy cannot use it.
    if (asked.headers['metadata-flavor'] !== 'Google')
      return send(403, 'Missing Metadata-Flavor:Google header.');
    if (asked.path === '/computeMetadata/v1/instance')
      return send(200, 'attributes/\nservice-accounts/\n');
    if (asked.path === '/computeMetadata/v1/project/project-id')
      return send(200, 'mr-test-project');
    if (
      asked.path ===
      '/computeMetadata/v1/instance/service-accounts/default/token'
    ) {
      return send(
        200,
        JSON.stringify({
          access_token: accessToken,
          expires_in: 3599,
          token_type: 'Bearer',
        }),
        'application/json',
      );
    }
    return send(404, 'Not found');
  });
}

/** Azure's instance metadata service, handing out `accessToken` for the resource asked. */
export function startAzureImdsServer(accessToken: string) {
  return serve((asked, res) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (asked.headers.metadata !== 'true')
      return send(400, {
        error: 'invalid_request',
        error_description: 'Required metadata header not specified',
      });
    if (
      asked.path.replace(/\/$/, '') !== '/metadata/identity/oauth2/token' ||
      !asked.query.resource
    ) {
      return send(400, {
        error: 'invalid_request',
        error_description: 'Required query variable resource is missing',
      });
    }
    const expiresIn = 3599;
    return send(200, {
      access_token: accessToken,
      expires_in: String(expiresIn),
      expires_on: String(Math.floor(Date.now() / 1000) + expiresIn),
      not_before: String(Math.floor(Date.now() / 1000)),
      resource: asked.query.resource,
      token_type: 'Bearer',
    });
  });
}

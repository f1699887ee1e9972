/*
 * A small admin client of the throwaway kube-apiserver (scripts/kube) for
 * the benchmark: keep-alive HTTPS with the run's CA and admin token, JSON in
 * and out, and a bound on requests in flight, so that loading tens of
 * thousands of objects goes as fast as the server takes them.
 */
import https from 'node:https';
import fs from 'node:fs';

export interface KubeApi {
  request(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; body: any }>;
  /** Every page of a list, as the API server sends them: the bytes of their JSON, and how many items. */
  listedBytes(
    path: string,
    pageSize: number,
  ): Promise<{ bytes: number; items: number }>;
  close(): void;
}

export function kubeApi(options: {
  server: string;
  caFile: string;
  token: string;
  concurrency: number;
}): KubeApi {
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: options.concurrency,
    ca: fs.readFileSync(options.caFile),
  });
  const send = (
    method: string,
    path: string,
    payload?: string,
    contentType = 'application/json',
  ) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = https.request(
        `${options.server}${path}`,
        {
          method,
          agent,
          headers: {
            authorization: `Bearer ${options.token}`,
            accept: 'application/json',
            ...(payload !== undefined
              ? {
                  'content-type': contentType,
                  'content-length': Buffer.byteLength(payload),
                }
              : {}),
          },
        },
        response => {
          const chunks: Buffer[] = [];
          response.on('data', c => chunks.push(c));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  return {
    async request(method, path, body, contentType) {
      const { status, text } = await send(
        method,
        path,
        body === undefined ? undefined : JSON.stringify(body),
        contentType,
      );
      return { status, body: text ? JSON.parse(text) : undefined };
    },
    async listedBytes(path, pageSize) {
      let bytes = 0;
      let items = 0;
      let token: string | undefined;
      do {
        const query = new URLSearchParams({
          limit: String(pageSize),
          ...(token ? { continue: token } : {}),
        });
        const { status, text } = await send('GET', `${path}?${query}`);
        if (status !== 200)
          throw new Error(`listing ${path}: ${status} ${text.slice(0, 200)}`);
        bytes += Buffer.byteLength(text);
        const page = JSON.parse(text);
        items += page.items?.length ?? 0;
        token = page.metadata?.continue || undefined;
      } while (token);
      return { bytes, items };
    },
    close: () => agent.destroy(),
  };
}

/*
 * An HTTP server on loopback for tests of reading answers: the handler
 * decides how the body arrives (in pieces, cut short, never ending).
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

export async function serving(handle: http.RequestListener) {
  const server = http.createServer(handle);
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

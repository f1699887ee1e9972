import { selectProtocol } from './protocol';

describe('selectProtocol, in Istio’s order', () => {
  it.each([
    [{ name: 'http', port: 80 }, 'HTTP', true],
    [{ name: 'HTTP-admin', port: 80 }, 'HTTP', true],
    [{ name: 'http2-api', port: 80 }, 'HTTP2', true],
    [{ name: 'grpc-web-ui', port: 80 }, 'GRPC-Web', true],
    [{ name: 'GRPC-Web', port: 80 }, 'GRPC-Web', true],
    [{ name: 'grpc', port: 80 }, 'GRPC', true],
    [{ name: 'http_proxy', port: 80 }, 'HTTP_PROXY', true],
    [{ name: 'tls-passthrough', port: 443 }, 'TLS', true],
    [{ name: 'mongo', port: 27017 }, 'Mongo', true],
    [{ name: 'redis-main', port: 6379 }, 'Redis', true],
    [{ name: 'mysql', port: 3306 }, 'MySQL', true],
    [{ name: 'tcp', port: 80 }, 'TCP', true],
    [{ name: 'httpx', port: 80 }, undefined, false],
    [{ name: 'web', port: 80 }, undefined, false],
    [{ port: 80 }, undefined, false],
    [{ name: 'http', port: 80, protocol: 'UDP' }, 'UDP', true],
    [
      { name: 'web', port: 80, appProtocol: 'kubernetes.io/h2c' },
      'HTTP2',
      true,
    ],
    [{ name: 'web', port: 80, appProtocol: 'kubernetes.io/ws' }, 'HTTP', true],
    [
      { name: 'web', port: 443, appProtocol: 'kubernetes.io/wss' },
      'HTTPS',
      true,
    ],
    [{ name: 'tcp', port: 80, appProtocol: 'http' }, 'HTTP', true],
    [
      { name: 'http', port: 80, appProtocol: 'custom.io/thing' },
      undefined,
      false,
    ],
    [{ port: 3306 }, 'TCP', false],
    [{ port: 25 }, 'TCP', false],
    [{ port: 53 }, 'TCP', false],
    [{ port: 27017 }, 'TCP', false],
  ])('%j is %s', (port, protocol, explicit) => {
    const selection = selectProtocol(port);
    expect(selection.protocol).toBe(protocol);
    expect(selection.explicit).toBe(explicit);
  });
});

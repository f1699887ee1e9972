import { ResponseError } from '@backstage/errors';
import { MeshReadinessClient } from './MeshReadinessClient';

const base = 'http://backend/api/mesh-readiness';

function clientAnswering(status: number, body: unknown) {
  const urls: string[] = [];
  const client = new MeshReadinessClient({
    discoveryApi: {
      getBaseUrl: async (pluginId: string) => {
        expect(pluginId).toBe('mesh-readiness');
        return base;
      },
    },
    fetchApi: {
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        urls.push(`${init?.method ?? 'GET'} ${String(input)}`);
        return new Response(JSON.stringify(body), {
          status,
          statusText: status === 200 ? 'OK' : 'Forbidden',
          headers: { 'Content-Type': 'application/json' },
        });
      },
    },
  });
  return { client, urls };
}

describe('MeshReadinessClient', () => {
  it('calls each backend endpoint under the plugin’s base URL', async () => {
    const { client, urls } = clientAnswering(200, {});
    await client.getRules();
    await client.getEntityReadiness({
      kind: 'Component',
      namespace: 'default',
      name: 'cart',
    });
    await client.getEntityReadiness(
      { kind: 'Component', namespace: 'default', name: 'cart' },
      { refresh: true },
    );
    await client.getGroupScorecard({ namespace: 'default', name: 'team-web' });
    await client.getOrganizationScorecard();
    await client.getScans();
    await client.getScans({ limit: 50 });
    expect(urls).toEqual([
      `GET ${base}/rules`,
      `GET ${base}/entities/Component/default/cart`,
      `POST ${base}/entities/Component/default/cart/scan`,
      `GET ${base}/groups/default/team-web/scorecard`,
      `GET ${base}/scorecards`,
      `GET ${base}/scans`,
      `GET ${base}/scans?limit=50`,
    ]);
  });

  it('escapes entity names so they cannot change the path', async () => {
    const { client, urls } = clientAnswering(200, {});
    await client.getEntityReadiness({
      kind: 'Component',
      namespace: 'default',
      name: '../scorecards?x',
    });
    expect(urls).toEqual([
      `GET ${base}/entities/Component/default/..%2Fscorecards%3Fx`,
    ]);
  });

  it('throws a ResponseError carrying the backend’s message', async () => {
    const { client } = clientAnswering(403, {
      error: { name: 'NotAllowedError', message: 'You may not read cart' },
      response: { statusCode: 403 },
    });
    const error = await client.getRules().catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.response.status).toBe(403);
    expect(error.body.error.message).toBe('You may not read cart');
  });
});

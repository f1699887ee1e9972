/*
 * What Google's and Microsoft Entra ID's token endpoints answer, for the
 * HTTPS stand-in of cloudTokenProxy.ts: a token for a well-formed request
 * with the right credential, and the endpoint's own error otherwise.
 */
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { TokenEndpoint } from './cloudTokenProxy';

/** gtoken's fixed token URL, and the audience of the assertion it signs. */
const GOOGLE_TOKEN_URL = 'https://www.googleapis.com/oauth2/v4/token';

/** A Google service account key, as the console downloads it, made for one test run. */
export function googleServiceAccountKey(projectId: string) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    type: 'service_account',
    project_id: projectId,
    private_key_id: 'mr-test-key',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: `mesh-readiness@${projectId}.iam.gserviceaccount.com`,
    client_id: '100000000000000000001',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
  };
}

/** The JWT-bearer grant: an RS256 assertion signed with the key, from its client email, for Google's token URL. */
export function googleTokenEndpoint(
  key: ReturnType<typeof googleServiceAccountKey>,
  accessToken: string,
): TokenEndpoint {
  const publicKey = createPublicKey(key.private_key);
  return request => {
    const [header, payload, signature] = (
      request.form.get('assertion') ?? ''
    ).split('.');
    const signed =
      request.method === 'POST' &&
      request.path === '/oauth2/v4/token' &&
      request.form.get('grant_type') ===
        'urn:ietf:params:oauth:grant-type:jwt-bearer' &&
      !!signature &&
      verify(
        'RSA-SHA256',
        Buffer.from(`${header}.${payload}`),
        publicKey,
        Buffer.from(signature, 'base64url'),
      );
    const claims = signed
      ? JSON.parse(Buffer.from(payload, 'base64url').toString())
      : {};
    if (claims.iss !== key.client_email || claims.aud !== GOOGLE_TOKEN_URL) {
      return {
        status: 400,
        body: {
          error: 'invalid_grant',
          error_description: 'Invalid JWT Signature.',
        },
      };
    }
    return {
      status: 200,
      body: {
        access_token: accessToken,
        expires_in: 3599,
        token_type: 'Bearer',
      },
    };
  };
}

export interface EntraApplication {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/**
 * login.microsoftonline.com for one tenant: instance discovery, the
 * tenant's OpenID configuration, and the client-credentials grant for the
 * application's secret.
 */
export function entraTokenEndpoint(
  app: EntraApplication,
  accessToken: string,
): TokenEndpoint {
  const authority = `https://login.microsoftonline.com/${app.tenantId}`;
  return request => {
    if (request.path === '/common/discovery/instance') {
      return {
        status: 200,
        body: {
          'api-version': '1.1',
          tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
          metadata: [
            {
              preferred_network: 'login.microsoftonline.com',
              preferred_cache: 'login.windows.net',
              aliases: [
                'login.microsoftonline.com',
                'login.windows.net',
                'login.microsoft.com',
                'sts.windows.net',
              ],
            },
          ],
        },
      };
    }
    if (
      request.path === `/${app.tenantId}/v2.0/.well-known/openid-configuration`
    ) {
      return {
        status: 200,
        body: {
          issuer: `${authority}/v2.0`,
          authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
          token_endpoint: `${authority}/oauth2/v2.0/token`,
          end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
          jwks_uri: `https://login.microsoftonline.com/${app.tenantId}/discovery/v2.0/keys`,
          response_types_supported: [
            'code',
            'id_token',
            'code id_token',
            'id_token token',
          ],
        },
      };
    }
    if (
      request.method === 'POST' &&
      request.path === `/${app.tenantId}/oauth2/v2.0/token`
    ) {
      const { form } = request;
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('client_id') !== app.clientId ||
        form.get('client_secret') !== app.clientSecret
      ) {
        return {
          status: 401,
          body: {
            error: 'invalid_client',
            error_description: 'AADSTS7000215: Invalid client secret provided.',
          },
        };
      }
      return {
        status: 200,
        body: {
          token_type: 'Bearer',
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: accessToken,
        },
      };
    }
    return { status: 404, body: { error: 'not_found' } };
  };
}

/*
 * The webhook token authenticator of the test API server (scripts/kube
 * points `--authentication-token-webhook-config-file` at
 * MR_KUBE_TOKEN_WEBHOOK_PORT): it answers the API server's TokenReviews for
 * the tokens the Kubernetes plugin's auth strategies produce, and maps each
 * to a user with its own RBAC. One test file at a time may run it.
 */
import http from 'node:http';

export interface WebhookIdentity {
  username: string;
  groups?: string[];
}

/** Decides who a bearer token is, or undefined to refuse it. */
export type TokenCheck = (token: string) => WebhookIdentity | undefined;

/**
 * What the AWS strategy sends: `k8s-aws-v1.` and a base64url presigned STS
 * GetCallerIdentity URL, signed (offline) with the access key given. Its
 * shape is checked as EKS's aws-iam-authenticator would before calling STS.
 */
export function awsPresignedIdentity(
  token: string,
  accessKeyId: string,
  region: string,
): string | undefined {
  if (!token.startsWith('k8s-aws-v1.')) return undefined;
  let url: URL;
  try {
    url = new URL(
      Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString(
        'utf8',
      ),
    );
  } catch {
    return undefined;
  }
  const q = url.searchParams;
  const ok =
    url.protocol === 'https:' &&
    url.hostname === `sts.${region}.amazonaws.com` &&
    q.get('Action') === 'GetCallerIdentity' &&
    q.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256' &&
    new RegExp(`^${accessKeyId}/\\d{8}/${region}/sts/aws4_request$`).test(
      q.get('X-Amz-Credential') ?? '',
    ) &&
    (q.get('X-Amz-SignedHeaders') ?? '').split(';').includes('x-k8s-aws-id') &&
    /^[0-9a-f]{64}$/.test(q.get('X-Amz-Signature') ?? '');
  return ok ? accessKeyId : undefined;
}

export async function startTokenWebhook(check: TokenCheck) {
  const reviewed: Array<{ accepted: boolean; as?: string }> = [];
  const server = http.createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const review = JSON.parse(raw);
    const identity = check(String(review?.spec?.token ?? ''));
    reviewed.push({ accepted: !!identity, as: identity?.username });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        status: identity
          ? {
              authenticated: true,
              user: {
                username: identity.username,
                uid: identity.username,
                groups: identity.groups ?? [],
              },
            }
          : { authenticated: false },
      }),
    );
  });
  await new Promise<void>(r =>
    server.listen(
      Number(process.env.MR_KUBE_TOKEN_WEBHOOK_PORT),
      '127.0.0.1',
      r,
    ),
  );
  return {
    reviewed,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

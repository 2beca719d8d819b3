/**
 * Real-shaped API Gateway HTTP API (payload format 2.0) events, built from a fetch `Request`
 * the way API Gateway builds them: headers lower-cased, cookies split out, the query string
 * kept raw, and every body that is not text/JSON/XML base64-encoded (`isBase64Encoded: true`).
 * Lets the Lambda handler be driven by the same route tests as the other runtimes.
 */
import type { APIGatewayProxyResult, LambdaEvent } from 'hono/aws-lambda';

export type HttpApiEventV2 = Extract<LambdaEvent, { rawPath: string }>;

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)\b)/i;

export interface LambdaContextLike {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly getRemainingTimeInMillis: () => number;
}

let sequence = 0;

export async function toHttpApiEvent(request: Request, stage = '$default'): Promise<HttpApiEventV2> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  request.headers.forEach((value, key) => {
    if (key === 'cookie') cookies.push(...value.split(/;\s*/));
    else headers[key] = value;
  });
  headers['host'] ??= url.host;
  const raw = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  const textual = TEXT_TYPES.test(request.headers.get('content-type') ?? '');
  if (raw) headers['content-length'] = String(raw.length);
  const now = Date.now();
  const requestId = `req-${++sequence}`;
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => {
    query[k] = k in query ? `${query[k]},${v}` : v;
  });
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api1234567',
      authentication: null,
      authorizer: {} as HttpApiEventV2['requestContext']['authorizer'],
      domainName: url.host,
      domainPrefix: url.hostname.split('.')[0],
      http: { method: request.method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: request.headers.get('user-agent') ?? '' },
      requestId,
      routeKey: '$default',
      stage,
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: raw ? (textual ? new TextDecoder().decode(raw) : Buffer.from(raw).toString('base64')) : null,
    isBase64Encoded: raw !== undefined && !textual,
  };
}

export function lambdaContext(timeoutMs = 29_000): LambdaContextLike {
  const deadline = Date.now() + timeoutMs;
  return { awsRequestId: `ctx-${sequence}`, functionName: 'captcha-ocr-test-api', getRemainingTimeInMillis: () => deadline - Date.now() };
}

/** The HTTP response API Gateway would send for a Lambda result (base64 bodies decoded). */
export function fromLambdaResult(result: APIGatewayProxyResult & { cookies?: string[] }): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(result.headers ?? {})) headers.set(k, String(v));
  for (const [k, values] of Object.entries(result.multiValueHeaders ?? {})) for (const v of values) headers.append(k, String(v));
  for (const c of result.cookies ?? []) headers.append('set-cookie', c);
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  const nullBody = result.statusCode === 204 || result.statusCode === 304;
  return new Response(nullBody ? null : body, { status: result.statusCode, headers });
}

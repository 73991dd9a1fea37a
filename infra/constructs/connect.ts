import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnStage, DomainName, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConfigError } from '#lib/errors.ts';
import type { SinewConfig } from '#infra/config.ts';
import type { SinewData } from './data.ts';
import { SinewFunction } from './function.ts';
import type { JobQueue } from './job-queue.ts';
import type { SesSending } from './mail.ts';
import type { SinewSecrets } from './secrets.ts';

/** The routes of the HTTP API and the function behind each (/tmp/aws-context.md). */
export const HTTP_ROUTES = {
  connect: [
    { method: HttpMethod.GET, path: '/' },
    { method: HttpMethod.GET, path: '/connect/{provider}' },
    { method: HttpMethod.GET, path: '/oauth/{provider}/callback' },
  ],
  links: [
    { method: HttpMethod.GET, path: '/l/{token}' },
    { method: HttpMethod.POST, path: '/l/{token}' },
  ],
} as const;

/** A route of the HTTP API as API Gateway keys it: `GET /l/{token}`. */
export type RouteKey = {
  [T in keyof typeof HTTP_ROUTES]: `${(typeof HTTP_ROUTES)[T][number]['method']} ${(typeof HTTP_ROUTES)[T][number]['path']}`;
}[keyof typeof HTTP_ROUTES];

/** The route of RFC 8058 one-click unsubscribe (and of every other link's answer). */
export const UNSUBSCRIBE_ROUTE: RouteKey = 'POST /l/{token}';

/**
 * Requests per second (steady) and burst per route. API Gateway throttles a route for all
 * its callers together, so each route gets its own budget and a flood of one (a scanner
 * prefetching every link of a batch of emails, a bot on the connect page) cannot spend
 * another's. One-click unsubscribe comes from mail providers' servers (Gmail, Yahoo and
 * Outlook post it for the person, from a few addresses, in bursts after a send), and a
 * person who asked to stop must be heard: its route has the highest limits. The OAuth
 * routes are the lowest: a person connects a mailbox a few times in all.
 */
export const DEFAULT_ROUTE_THROTTLES: Readonly<Record<RouteKey, ThrottleSettings>> = {
  'GET /': { rateLimit: 10, burstLimit: 20 },
  'GET /connect/{provider}': { rateLimit: 5, burstLimit: 10 },
  'GET /oauth/{provider}/callback': { rateLimit: 5, burstLimit: 10 },
  'GET /l/{token}': { rateLimit: 20, burstLimit: 50 },
  'POST /l/{token}': { rateLimit: 50, burstLimit: 200 },
};

/**
 * The throttles with `overrides` applied, checked: every limit positive, burst at least
 * the rate, and the unsubscribe route strictly above every other (or synthesis fails).
 */
export function routeThrottles(overrides: Partial<Record<RouteKey, ThrottleSettings>> = {}): Record<RouteKey, Required<ThrottleSettings>> {
  const out = {} as Record<RouteKey, Required<ThrottleSettings>>;
  for (const key of Object.keys(DEFAULT_ROUTE_THROTTLES) as RouteKey[]) {
    const limits = { ...DEFAULT_ROUTE_THROTTLES[key], ...overrides[key] };
    const rateLimit = limits.rateLimit ?? 0;
    const burstLimit = limits.burstLimit ?? 0;
    if (!(rateLimit > 0) || !Number.isInteger(burstLimit) || burstLimit < rateLimit) {
      throw new ConfigError(`route throttle "${key}": expected a positive rate and a whole burst at least as large (got rate ${rateLimit}, burst ${burstLimit})`);
    }
    out[key] = { rateLimit, burstLimit };
  }
  const unsubscribe = out[UNSUBSCRIBE_ROUTE];
  for (const [key, limits] of Object.entries(out)) {
    if (key === UNSUBSCRIBE_ROUTE) continue;
    if (limits.rateLimit >= unsubscribe.rateLimit || limits.burstLimit >= unsubscribe.burstLimit) {
      throw new ConfigError(
        `route throttle "${key}" (rate ${limits.rateLimit}, burst ${limits.burstLimit}) is not below "${UNSUBSCRIBE_ROUTE}" ` +
          `(rate ${unsubscribe.rateLimit}, burst ${unsubscribe.burstLimit}): one-click unsubscribe must keep the highest limits, so raise it too`,
      );
    }
  }
  return out;
}

/**
 * Access log fields. The route key (`GET /l/{token}`), never the path: a path carries a
 * signed link token, and the callback's query string an authorization code.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    latencyMs: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationError: '$context.integrationErrorMessage',
    sourceIp: '$context.identity.sourceIp',
  }),
);

export interface ConnectServiceProps {
  readonly config: SinewConfig;
  readonly data: SinewData;
  readonly secrets: SinewSecrets;
  /** A new connection enqueues its first sync here. */
  readonly syncQueue: JobQueue;
  /** Connect emails both addresses when a mailbox joins a person (with a link to undo). */
  readonly mail: SesSending;
  /**
   * The stage's default throttle, for any route without its own.
   * @default { rateLimit: 20, burstLimit: 50 }
   */
  readonly throttle?: ThrottleSettings;
  /**
   * Per-route throttles over {@link DEFAULT_ROUTE_THROTTLES}; the unsubscribe route must
   * stay strictly the highest, or synthesis fails saying so.
   * @default DEFAULT_ROUTE_THROTTLES
   */
  readonly routeThrottles?: Partial<Record<RouteKey, ThrottleSettings>>;
}

/**
 * DESIGN section 1 "Connect" and the email links: the public HTTP API (connect page,
 * OAuth start and callback, signed links) and its two functions. Authorization is in the
 * protocol, not in API Gateway: OAuth with PKCE and signed state for connecting, HMAC-signed
 * expiring tokens for links.
 */
export class ConnectService extends Construct {
  readonly connect: SinewFunction;
  readonly links: SinewFunction;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** The public base URL (`https://<domain>` or the API endpoint), without a trailing slash. */
  readonly baseUrl: string;
  /** The custom domain, when `domain` is set: point a CNAME at its regional target. */
  readonly domainName?: DomainName;

  constructor(scope: Construct, id: string, props: ConnectServiceProps) {
    super(scope, id);
    const { config, data, secrets, mail } = props;
    // Checked first: bad throttles fail synthesis before any resource is made.
    const throttles = routeThrottles(props.routeThrottles);
    // With a custom domain the HTTP functions may know their public URL (a plain string,
    // no reference to the API, so no circular dependency); without one they read it from
    // the request.
    const publicUrl: Record<string, string> = config.domain ? { SINEW_BASE_URL: `https://${config.domain}` } : {};

    this.connect = new SinewFunction(this, 'Connect', {
      name: 'connect',
      description: 'Sinew connect page, OAuth start and callback (Google, Microsoft)',
      timeout: Duration.seconds(15),
      environment: {
        SINEW_TABLE_NAME: data.table.tableName,
        SINEW_TOKEN_KEY_ARN: data.tokenKey.keyArn,
        SINEW_SYNC_QUEUE_URL: props.syncQueue.queue.queueUrl,
        SINEW_GOOGLE_SECRET_ARN: secrets.googleClient.secretArn,
        SINEW_MICROSOFT_SECRET_ARN: secrets.microsoftClient.secretArn,
        SINEW_LINK_SECRET_ARN: secrets.linkSigning.secretArn,
        SINEW_ALLOWED_DOMAINS: config.allowedDomains.join(','),
        SINEW_MS_AUTHORITY: config.msAuthority,
        // The success page says when the first report arrives.
        SINEW_REPORT_HOUR: String(config.reportHour),
        // A mailbox joining a person is told to both addresses, from the report sender.
        SINEW_SENDER: mail.senderAddress,
        SINEW_SES_CONFIGURATION_SET: mail.configurationSet.configurationSetName,
        ...publicUrl,
      },
    });
    // What lib/web/connect-app.ts and lib/connect/accounts.ts do: read and write a
    // person's user and account records. Never a delete or a batch write, nor the index.
    data.grantTable(this.connect, { actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem'] });
    data.grantTokenKey(this.connect, 'seal');
    mail.grantSend(this.connect);
    props.syncQueue.grantSend(this.connect);
    for (const secret of [secrets.googleClient, secrets.microsoftClient, secrets.linkSigning]) secret.grantRead(this.connect);

    this.links = new SinewFunction(this, 'Links', {
      name: 'links',
      description: 'Sinew signed links: feedback, snooze, mute, pause, unsubscribe, time zone, disconnect',
      timeout: Duration.seconds(30),
      environment: {
        SINEW_TABLE_NAME: data.table.tableName,
        SINEW_TOKEN_KEY_ARN: data.tokenKey.keyArn,
        // Disconnect revokes the grant at Google (GoogleOAuth needs its client id);
        // Microsoft has no endpoint to revoke a delegated grant, so no Microsoft secret.
        SINEW_GOOGLE_SECRET_ARN: secrets.googleClient.secretArn,
        SINEW_LINK_SECRET_ARN: secrets.linkSigning.secretArn,
        SINEW_MS_AUTHORITY: config.msAuthority,
        // The who-knows page answers only with CDK context team=on (DESIGN section 10).
        ...(config.team ? { SINEW_TEAM: 'on' } : {}),
        ...publicUrl,
      },
    });
    // The team index (DESIGN section 10): the who-knows page reads it; stop sharing and keep
    // private remove the person's entries at once, in the same request (never a put).
    data.grantTable(this.links, 'readwrite', 'read-and-remove');
    data.grantTokenKey(this.links, 'open');
    // The notes page (lib/web/notes-app.ts) seals a note it saves and opens the ones it shows.
    data.grantNoteKey(this.links, 'seal');
    data.grantNoteKey(this.links, 'open');
    for (const secret of [secrets.googleClient, secrets.linkSigning]) secret.grantRead(this.links);

    this.api = new HttpApi(this, 'Api', {
      description: 'Sinew: connect page, OAuth callbacks, signed email links',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    if (config.domain) {
      const certificate = new Certificate(this, 'Certificate', {
        domainName: config.domain,
        validation: CertificateValidation.fromDns(),
      });
      this.domainName = new DomainName(this, 'Domain', { domainName: config.domain, certificate });
    }
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 20, burstLimit: 50 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
      ...(this.domainName ? { domainMapping: { domainName: this.domainName } } : {}),
    });
    // RouteSettings is a JSON map in CloudFormation: its values keep CloudFormation's names.
    (this.stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      Object.entries(throttles).map(([key, t]) => [key, { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit }]),
    );
    this.baseUrl = config.domain ? `https://${config.domain}` : this.api.apiEndpoint;
    // Emails connect sends link back to the API; without a custom domain that is the API's
    // endpoint (the API does not depend on the function, so no cycle).
    if (!config.domain) this.connect.fn.addEnvironment('SINEW_BASE_URL', this.api.apiEndpoint);

    const integrations = {
      connect: new HttpLambdaIntegration('ConnectIntegration', this.connect.fn),
      links: new HttpLambdaIntegration('LinksIntegration', this.links.fn),
    };
    for (const target of ['connect', 'links'] as const) {
      for (const route of HTTP_ROUTES[target]) {
        const [added] = this.api.addRoutes({ path: route.path, methods: [route.method], integration: integrations[target] });
        // Route settings name the route: it must exist before the stage is created or updated.
        this.stage.node.addDependency(added!);
        Validations.of(added!).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            target === 'connect'
              ? 'The public connect page: the visitor is not yet known. Identity comes from the provider (OAuth code flow with PKCE and HMAC-signed, expiring state), and sign-up is limited to allowedDomains.'
              : 'Email links carry their own authorization: an HMAC-signed, expiring token naming the user and the action (lib/links/token.ts); a tampered or expired token is refused.',
        });
      }
    }
  }
}

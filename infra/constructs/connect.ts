import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { DomainName, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { SinewConfig } from '../config.ts';
import type { SinewData } from './data.ts';
import { SinewFunction } from './function.ts';
import type { JobQueue } from './job-queue.ts';
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
  /**
   * Requests per second (steady) and burst across the API: people click links and connect
   * mailboxes a few times a week, so anything above this is abuse or a bug.
   * @default { rateLimit: 20, burstLimit: 50 }
   */
  readonly throttle?: ThrottleSettings;
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
    const { config, data, secrets } = props;
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
        ...publicUrl,
      },
    });
    data.grantTable(this.connect, 'readwrite');
    data.grantTokenKey(this.connect, 'seal');
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
        ...publicUrl,
      },
    });
    data.grantTable(this.links, 'readwrite');
    data.grantTokenKey(this.links, 'open');
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
    this.baseUrl = config.domain ? `https://${config.domain}` : this.api.apiEndpoint;

    const integrations = {
      connect: new HttpLambdaIntegration('ConnectIntegration', this.connect.fn),
      links: new HttpLambdaIntegration('LinksIntegration', this.links.fn),
    };
    for (const target of ['connect', 'links'] as const) {
      for (const route of HTTP_ROUTES[target]) {
        const [added] = this.api.addRoutes({ path: route.path, methods: [route.method], integration: integrations[target] });
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

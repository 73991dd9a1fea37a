import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One Powertools logger, metrics and tracer per function (DESIGN section 1,
 * Observability). Their service is `sinew` in every function: the constructor's
 * `serviceName` wins over the `POWERTOOLS_SERVICE_NAME` the stack sets per function, so
 * every metric carries the dimension `service=sinew`, which the stack's alarms on custom
 * metrics match (infra/constructs/observability.ts, METRICS_SERVICE); each function's
 * logs are told apart by their log group and `function_name`. Log only ids and counts at
 * info level: never a token, never an address (the address is a person's identity).
 */
export const logger = new Logger({ serviceName: 'sinew' });
export const metrics = new Metrics({ namespace: 'Sinew', serviceName: 'sinew' });

/**
 * Powertools' tracer, minus the two things it would copy into X-Ray on its own: each
 * handler's response (the HTTP functions answer pages carrying signed link, join, undo
 * and disconnect tokens, OAuth state and PKCE cookies) and each error's message (an SES
 * refusal names the recipient). Segments keep their timings, annotations, outgoing calls
 * (URLs without query strings) and the error and fault flags; the message of a failure is
 * in the function's log, scrubbed. Overriding here covers every middleware and decorator
 * that records through these methods, whatever options a handler passes.
 */
class SinewTracer extends Tracer {
  /** Never: a response may carry a token or an address. */
  override addResponseAsMetadata(): void {}

  /** Flags the segment as failed without recording the error's message or stack. */
  override addErrorAsMetadata(): void {
    if (!this.isTracingEnabled()) return;
    this.getSegment()?.addErrorFlag();
  }
}

export const tracer: Tracer = new SinewTracer({ serviceName: 'sinew' });

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One Powertools logger, metrics and tracer per function (DESIGN section 1,
 * Observability). The service name comes from `POWERTOOLS_SERVICE_NAME` (set by the
 * stack per function). Log only ids and counts at info level: never a token, never an
 * address (the address is a person's identity).
 */
export const logger = new Logger({ serviceName: 'sinew' });
export const metrics = new Metrics({ namespace: 'Sinew', serviceName: 'sinew' });
export const tracer = new Tracer({ serviceName: 'sinew' });

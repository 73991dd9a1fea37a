export { generateDemoMailbox, writeDemoFiles, DEMO_AS_OF, DEMO_SEED } from './generate.ts';
export type { DemoExpectations, DemoMailbox, DemoOptions } from './generate.ts';
export { writeBigMbox } from './big-mbox.ts';
export { demoBriefDate } from './brief-day.ts';
import { ME } from './cast.ts';
/** The demo user's time zone (the consultant works from London). */
export const DEMO_TIME_ZONE: string = ME.tz;

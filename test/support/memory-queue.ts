import type { JobQueue } from '#lib/queue/jobs.ts';

/** A queue that keeps what it is sent: for tests. */
export class MemoryQueue<J> implements JobQueue<J> {
  readonly sent: J[] = [];
  async send(jobs: readonly J[]): Promise<void> {
    this.sent.push(...jobs);
  }
}

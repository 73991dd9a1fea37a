/** Placeholder until this handler is written (issue 5). */
export const handler = async (): Promise<never> => {
  throw new Error('functions/sync-dispatcher.ts is not built yet');
};

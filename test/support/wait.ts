import { vi } from 'vitest';

/**
 * Waits until `condition` holds (asked every 50 ms), for things that happen in the background: a consumer catching
 * up, a webhook arriving. Fails with "timed out waiting for <what>" after `timeoutMs`.
 */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await condition())) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

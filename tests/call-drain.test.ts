import { describe, expect, it } from 'vitest';
import { startTelephonyHarness } from './helpers/telephony-harness.js';

describe('shutting down during calls', () => {
  it('refuses new calls politely, lets the live call finish, then stops', async () => {
    const h = await startTelephonyHarness({ env: { SHUTDOWN_TIMEOUT_MS: '20000' } });
    try {
      const live = await h.dial();
      await live.waitFor(() => live.count('mark') >= 1, 15_000);

      const stopping = h.server.close();
      await new Promise((r) => setTimeout(r, 200));
      const newcomer = await h.ring();
      expect(newcomer.twiml).toMatch(/<Say>Sorry, we are restarting for a moment\. Please call back in a minute\.<\/Say><Hangup\/>/);
      const ready = await fetch(`${h.server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { status: string }).status).toBe('draining');

      // The live call is still up and still answered.
      expect(live.closeCode).toBeUndefined();
      let stopped = false;
      void stopping.then(() => (stopped = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(stopped).toBe(false);
      live.hangUp();
      await stopping;
      const calls = h.server.services.database.sqlite.open;
      expect(calls).toBe(false); // the database was closed cleanly at the end
    } finally {
      await h.stt.close();
      await h.twilio.stop();
    }
  });
});

import { randomBytes } from 'node:crypto';

/** A small JSON event with a fresh id (Stripe and Slack key replay on the id in the body). */
export function probeBody(nowMs: number): Buffer {
  const id = randomBytes(8).toString('hex');
  return Buffer.from(JSON.stringify({ id: `evt_${id}`, event_id: `Ev${id}`, type: 'hookguard.test', created: Math.floor(nowMs / 1000) }));
}

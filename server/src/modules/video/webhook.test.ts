import { describe, expect, it } from 'vitest';
import { eventInstant } from './webhook.ts';

describe("a webhook's instant", () => {
  it('is the moment of receipt when that falls in the second LiveKit stamped', () => {
    expect(eventInstant(1_700_000_000, 1_700_000_000_437).getTime()).toBe(1_700_000_000_437);
  });

  it('stays in the stamped second for a late retry or a clock ahead of ours', () => {
    expect(eventInstant(1_700_000_000, 1_700_000_090_000).getTime()).toBe(1_700_000_000_999);
    expect(eventInstant(1_700_000_000, 1_699_999_999_000).getTime()).toBe(1_700_000_000_000);
  });
});

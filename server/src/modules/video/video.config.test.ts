import { describe, expect, it } from 'vitest';
import { loadIceServers } from './video.config.ts';

describe('ICE servers for direct calls', () => {
  it('needs none by default, and reads ICE_SERVERS or STUN_URLS with TURN_*', () => {
    expect(loadIceServers({})).toEqual([]);
    expect(loadIceServers({ ICE_SERVERS: '[{"urls":"turn:turn.example.org:3478","username":"u","credential":"c"}]' })).toEqual([
      { urls: ['turn:turn.example.org:3478'], username: 'u', credential: 'c' },
    ]);
    expect(loadIceServers({ STUN_URLS: 'stun:a.example:3478, stun:b.example', TURN_URL: 'turns:t.example:443', TURN_USERNAME: 'u', TURN_CREDENTIAL: 'p' })).toEqual([
      { urls: ['stun:a.example:3478', 'stun:b.example'] },
      { urls: ['turns:t.example:443'], username: 'u', credential: 'p' },
    ]);
  });

  it('names what is wrong', () => {
    expect(() => loadIceServers({ ICE_SERVERS: '{' })).toThrow(/ICE_SERVERS must be JSON/);
    expect(() => loadIceServers({ ICE_SERVERS: '[{"urls":"http://x"}]' })).toThrow(/ICE_SERVERS\[0\]\.urls/);
    expect(() => loadIceServers({ STUN_URLS: 'example.org' })).toThrow(/STUN_URLS/);
    expect(() => loadIceServers({ TURN_URL: 'turn:t.example' })).toThrow(/TURN_USERNAME and TURN_CREDENTIAL/);
  });
});

/**
 * Token minting for a whole round at scale: 1,000 pairs, so 2,000 LiveKit join tokens.
 * Prints the time through the real adapter (livekit-server-sdk AccessToken, jose, WebCrypto),
 * one at a time and all at once, against a baseline in the same run: the same claims signed as
 * an HS256 JWT directly with node:crypto. No LiveKit server is needed; minting is local.
 *
 *   npx tsx bench/tokens.ts
 */
import { createHmac, randomUUID } from 'node:crypto';
import { LiveKitVideoProvider } from '../server/src/modules/video/livekit.provider.ts';
import { DEV_VIDEO_CONFIG } from '../server/src/modules/video/video.config.ts';
import { median, report, time } from './lib.ts';

const PAIRS = 1_000;
const RUNS = 7;
const TTL_SECONDS = 15 * 60;

const provider = new LiveKitVideoProvider(DEV_VIDEO_CONFIG);
const eventId = randomUUID();
const requests = Array.from({ length: PAIRS }, () => {
  const roomName = provider.roomNameFor({ eventId, round: 1, tableId: randomUUID() });
  return [
    { roomName, identity: randomUUID(), name: 'Mentor With A Reasonably Long Name', ttlSeconds: TTL_SECONDS },
    { roomName, identity: randomUUID(), name: 'Mentee With A Reasonably Long Name', ttlSeconds: TTL_SECONDS },
  ];
}).flat();

async function mintSequentially(): Promise<string[]> {
  const tokens: string[] = [];
  for (const request of requests) tokens.push(await provider.mintParticipantToken(request));
  return tokens;
}

function mintConcurrently(): Promise<string[]> {
  return Promise.all(requests.map((request) => provider.mintParticipantToken(request)));
}

/** The same header and claims the adapter produces, signed by hand: the floor for HS256 in Node. */
function signPlainHs256(): string[] {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return requests.map(({ roomName, identity, name }) => {
    const claims = {
      name,
      video: {
        roomJoin: true,
        canPublish: true,
        canPublishSources: ['camera', 'microphone'],
        canSubscribe: true,
        canPublishData: false,
        canUpdateOwnMetadata: false,
        room: roomName,
      },
      iss: DEV_VIDEO_CONFIG.apiKey,
      exp: now + TTL_SECONDS,
      nbf: now,
      sub: identity,
    };
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${createHmac('sha256', DEV_VIDEO_CONFIG.apiSecret).update(input).digest('base64url')}`;
  });
}

async function measure(fn: () => Promise<string[]> | string[]): Promise<number> {
  await fn(); // warm-up: JIT, WebCrypto key import
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { ms, value } = await time(fn);
    if (value.length !== requests.length) throw new Error('wrong number of tokens');
    samples.push(ms);
  }
  return median(samples);
}

const sequential = await measure(mintSequentially);
const concurrent = await measure(mintConcurrently);
const baseline = await measure(signPlainHs256);
const sample = (await mintSequentially())[0]!;
const baselineSample = signPlainHs256()[0]!;

console.log(`${PAIRS} pairs, ${requests.length} tokens, median of ${RUNS} runs (Node ${process.version})`);
report({
  'adapter, one after another (ms)': sequential,
  'adapter, all at once (ms)': concurrent,
  'baseline node:crypto HS256 (ms)': baseline,
  'adapter per token (µs)': (sequential * 1000) / requests.length,
  'baseline per token (µs)': (baseline * 1000) / requests.length,
  'ratio adapter / baseline (sequential)': sequential / baseline,
  'ratio adapter / baseline (all at once)': concurrent / baseline,
  'token size adapter / baseline (bytes)': `${sample.length} / ${baselineSample.length}`,
});

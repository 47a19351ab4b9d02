import type { StartChecklist } from '@constellation/shared/schemas/schedule';
import type { VideoProvider } from '../video/video.provider.ts';
import type { PlannerPeople } from './schedule.repository.ts';

const VIDEO_PROBE_MS = 3000;

/** Whether the video server answers: one cheap API call (listing no rooms), bounded in time. */
export async function probeVideo(provider: VideoProvider): Promise<StartChecklist['video']> {
  const serverUrl = provider.serverUrl;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${VIDEO_PROBE_MS / 1000} s`)), VIDEO_PROBE_MS);
  });
  try {
    await Promise.race([provider.listRooms(['constellation-start-check']), timeout]);
    return { ok: true, detail: `Video server ${serverUrl} answers.`, serverUrl };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, detail: `Video server ${serverUrl} does not answer (${why}): calls cannot open until it does.`, serverUrl };
  }
}

/** "5 of 6 mentors and 7 of 8 mentees are connected"; ok when everyone is. */
export function connectedCheck(people: PlannerPeople, online: readonly string[]): StartChecklist['connected'] {
  const here = new Set(online);
  const count = (list: { id: string }[]) => ({ online: list.filter((p) => here.has(p.id)).length, total: list.length });
  const mentors = count(people.mentors);
  const mentees = count(people.mentees);
  const ok = mentors.online === mentors.total && mentees.online === mentees.total;
  return {
    ok,
    detail: `${mentors.online} of ${mentors.total} mentors and ${mentees.online} of ${mentees.total} mentees are connected.`,
    mentors,
    mentees,
  };
}

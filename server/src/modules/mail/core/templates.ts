/**
 * What each email says, in plain text and HTML. Pure: the payload is what was decided when the
 * message was queued; the recipient's own link is added when it is rendered (it is derived from
 * the server secret, so it is never stored in the outbox). Everything people typed is escaped in HTML.
 */

export type MailKind = 'invitation' | 'reminder' | 'outcome' | 'signup-confirm' | 'signup-exists';

interface Common {
  eventTitle: string;
  /** The recipient's name. */
  name: string;
  /** Where times are shown: the recipient's own time zone, else the event's. */
  timeZone: string;
}

export interface InvitationPayload extends Common {
  startsAt: string;
  role: 'mentor' | 'mentee';
  organizerName: string;
}

export interface ReminderPayload extends Common {
  startsAt: string;
  offsetMinutes: number;
}

export interface OutcomePayload extends Common {
  matches: { name: string; role: string; email: string }[];
  /** The first follow-up with the match (ISO instant), when matched. */
  followUpAt: string | null;
  /** Not matched: why, and what happens next. */
  reason: string | null;
  next: string | null;
  /** Matched into a mentoring circle: its mentor (null when the recipient is the mentor) and the other mentees, by name. */
  circle?: { mentor: string | null; others: string[] } | null;
}

/** Sign-up: a link to confirm the address, or a note that it already has an account. */
export interface SignupPayload {
  name: string;
}

export type MailPayload = InvitationPayload | ReminderPayload | OutcomePayload | SignupPayload;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** "Tuesday 8 December 2026, 18:00 (Europe/Berlin)": the instant as the reader's clock shows it. */
const formats = new Map<string, Intl.DateTimeFormat>();

export function formatInstant(iso: string, timeZone: string): string {
  // Building a formatter costs far more than using one: a thousand invitations share a handful of zones.
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    if (formats.size < 1_000) formats.set(timeZone, format);
  }
  const text = format.format(new Date(iso));
  return `${text.replace(' at ', ', ')} (${timeZone})`;
}

function duration(minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? 'tomorrow' : `in ${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? 'in one hour' : `in ${minutes / 60} hours`;
  return `in ${minutes} minutes`;
}

/** A message as paragraphs of plain text; the link becomes a button in HTML. */
interface Body {
  subject: string;
  paragraphs: string[];
  action: string;
}

function bodyOf(kind: MailKind, payload: MailPayload): Body {
  if (kind === 'signup-confirm') {
    return {
      subject: 'Confirm your Constellation account',
      paragraphs: [`Hello ${(payload as SignupPayload).name},`, 'Someone (we hope you) asked for an organizer account with this email address. Open the link below within 24 hours to finish; if it was not you, ignore this message.'],
      action: 'Confirm my account',
    };
  }
  if (kind === 'signup-exists') {
    return {
      subject: 'You already have a Constellation account',
      paragraphs: ['Hello,', 'Someone (we hope you) tried to create an organizer account with this email address, but it already has one. Sign in instead; if you forgot your password, ask your administrator. If it was not you, ignore this message.'],
      action: 'Sign in',
    };
  }
  if (kind === 'invitation') {
    const p = payload as InvitationPayload;
    return {
      subject: `You are invited to ${p.eventTitle}`,
      paragraphs: [
        `Hello ${p.name},`,
        `${p.organizerName} invites you to "${p.eventTitle}" as a ${p.role}: short one-to-one video conversations, one after the other.`,
        `It starts ${formatInstant(p.startsAt, p.timeZone)}.`,
        'Your personal link below opens the event in your browser, no account needed. It is yours alone: please do not forward it.',
      ],
      action: 'Open my invitation',
    };
  }
  if (kind === 'reminder') {
    const p = payload as ReminderPayload;
    return {
      subject: `Reminder: ${p.eventTitle} starts ${duration(p.offsetMinutes)}`,
      paragraphs: [
        `Hello ${p.name},`,
        `"${p.eventTitle}" starts ${formatInstant(p.startsAt, p.timeZone)}.`,
        'Open your personal link a few minutes early to check your camera and microphone.',
      ],
      action: 'Join the event',
    };
  }
  const p = payload as OutcomePayload;
  if (p.matches.length > 0 && p.circle) {
    const contacts = p.matches.map((m) => `${m.name} (${m.role}, ${m.email})`).join('; ');
    const list = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? ''));
    const circle = p.circle.mentor === null ? `you mentor ${list(p.circle.others)}` : `${p.circle.mentor} mentors ${list([...p.circle.others, 'you'])}`;
    return {
      subject: `Your mentoring circle from ${p.eventTitle}`,
      paragraphs: [
        `Hello ${p.name},`,
        `The organizer has confirmed the mentoring circles of "${p.eventTitle}". In your circle, ${circle}.`,
        `Contact: ${contacts}.`,
        ...(p.followUpAt ? [`Your circle first meets on ${formatInstant(p.followUpAt, p.timeZone)}; the group calendar invitation is on your match page.`] : []),
      ],
      action: 'See my circle',
    };
  }
  if (p.matches.length > 0) {
    const partners = p.matches.map((m) => `${m.name} (${m.role}, ${m.email})`).join('; ');
    return {
      subject: `Your match from ${p.eventTitle}`,
      paragraphs: [
        `Hello ${p.name},`,
        `The organizer has confirmed the matches of "${p.eventTitle}". You are matched with: ${partners}.`,
        ...(p.followUpAt ? [`Your first follow-up is planned for ${formatInstant(p.followUpAt, p.timeZone)}; the calendar invitation is on your match page. Move it to a time that suits you both.`] : []),
      ],
      action: 'See my match',
    };
  }
  return {
    subject: `Your outcome from ${p.eventTitle}`,
    paragraphs: [
      `Hello ${p.name},`,
      `The organizer has confirmed the matches of "${p.eventTitle}". This time you were not matched with anyone.`,
      ...(p.reason ? [`Why: ${p.reason}`] : []),
      ...(p.next ? [p.next] : []),
    ],
    action: 'See my outcome',
  };
}

/** One line, whatever the event's title holds. */
export function subjectOf(kind: MailKind, payload: MailPayload): string {
  return bodyOf(kind, payload).subject.replace(/\s+/g, ' ').slice(0, 300);
}

/** The whole message with the recipient's own link in it. */
export function renderMail(kind: MailKind, payload: MailPayload, link: string): RenderedMail {
  const { paragraphs, action } = bodyOf(kind, payload);
  const subject = subjectOf(kind, payload);
  const text = [...paragraphs, `${action}: ${link}`, '', '— Constellation'].join('\n\n');
  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:36rem">',
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(link)}" style="display:inline-block;padding:.6em 1.2em;background:#3447c9;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(action)}</a></p>`,
    `<p style="color:#666;font-size:.9em">Or copy this link: ${escapeHtml(link)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

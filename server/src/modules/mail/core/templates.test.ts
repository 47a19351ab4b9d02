import { describe, expect, it } from 'vitest';
import { escapeHtml, formatInstant, renderMail, subjectOf } from './templates.ts';

const link = 'http://constellation.test/join#TOKEN_abc';

describe('mail templates', () => {
  it('puts the link in both the text and the HTML of an invitation', () => {
    const mail = renderMail('invitation', { eventTitle: 'Spring', name: 'Zoë', timeZone: 'Europe/Berlin', startsAt: '2026-12-10T15:00:00Z', role: 'mentee', organizerName: 'Ada' }, link);
    expect(mail.subject).toBe('You are invited to Spring');
    expect(mail.text).toContain(link);
    expect(mail.text).toContain('Thursday, 10 December 2026, 16:00 (Europe/Berlin)');
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.html).toContain('Zoë');
  });

  it('escapes everything people typed in the HTML, and keeps the subject on one line', () => {
    const payload = { eventTitle: '<script>alert(1)</script>\nBcc: x@evil.example', name: '"><img src=x onerror=alert(1)>', timeZone: 'UTC', startsAt: '2026-12-10T15:00:00Z', role: 'mentor' as const, organizerName: 'A & B' };
    const mail = renderMail('invitation', payload, link);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.html).toContain('A &amp; B');
    expect(subjectOf('invitation', payload)).not.toMatch(/[\r\n]/);
    expect(escapeHtml(`'"&<>`)).toBe('&#39;&quot;&amp;&lt;&gt;');
  });

  it('says when a reminder is before the event', () => {
    const base = { eventTitle: 'Spring', name: 'Zoë', timeZone: 'UTC', startsAt: '2026-12-10T15:00:00Z' };
    expect(subjectOf('reminder', { ...base, offsetMinutes: 1440 })).toBe('Reminder: Spring starts tomorrow');
    expect(subjectOf('reminder', { ...base, offsetMinutes: 60 })).toBe('Reminder: Spring starts in one hour');
    expect(subjectOf('reminder', { ...base, offsetMinutes: 90 })).toBe('Reminder: Spring starts in 90 minutes');
  });

  it('tells a matched person whom they meet and when the follow-up is, in their own time zone', () => {
    const mail = renderMail('outcome', { eventTitle: 'Spring', name: 'Zoë', timeZone: 'America/Mexico_City', matches: [{ name: 'Grace', role: 'mentor', email: 'grace@example.com' }], followUpAt: '2026-12-17T16:00:00Z', reason: null, next: null }, link);
    expect(mail.subject).toBe('Your match from Spring');
    expect(mail.text).toContain('Grace (mentor, grace@example.com)');
    expect(mail.text).toContain('10:00 (America/Mexico_City)');
  });

  it('tells the members of a mentoring circle who is in it, from the mentor\'s side and a mentee\'s', () => {
    const common = { eventTitle: 'Spring', timeZone: 'UTC', followUpAt: '2026-12-17T16:00:00Z', reason: null, next: null };
    const mentee = renderMail('outcome', { ...common, name: 'Zoë', matches: [{ name: 'Grace', role: 'mentor', email: 'grace@example.com' }], circle: { mentor: 'Grace', others: ['Ada', 'Ben'] } }, link);
    expect(mentee.subject).toBe('Your mentoring circle from Spring');
    expect(mentee.text).toContain('In your circle, Grace mentors Ada, Ben and you.');
    expect(mentee.text).toContain('group calendar invitation');
    const mentees = ['Ada', 'Ben', 'Zoë'].map((name) => ({ name, role: 'mentee', email: `${name.toLowerCase()}@example.com` }));
    const mentor = renderMail('outcome', { ...common, name: 'Grace', matches: mentees, circle: { mentor: null, others: ['Ada', 'Ben', 'Zoë'] } }, link);
    expect(mentor.text).toContain('In your circle, you mentor Ada, Ben and Zoë.');
    expect(mentor.text).toContain('Ada (mentee, ada@example.com)');
  });

  it('tells a person who was not matched why', () => {
    const mail = renderMail('outcome', { eventTitle: 'Spring', name: 'Zoë', timeZone: 'UTC', matches: [], followUpAt: null, reason: 'You did not rank the mentors you met.', next: 'You are welcome next time.' }, link);
    expect(mail.subject).toBe('Your outcome from Spring');
    expect(mail.text).toContain('Why: You did not rank the mentors you met.');
    expect(mail.html).toContain('You are welcome next time.');
  });

  it('formats an instant on the reader\'s clock', () => {
    expect(formatInstant('2026-12-10T15:00:00Z', 'Asia/Kolkata')).toBe('Thursday, 10 December 2026, 20:30 (Asia/Kolkata)');
  });
});

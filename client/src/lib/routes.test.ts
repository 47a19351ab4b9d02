import { describe, expect, it } from 'vitest';
import { matchRoute, safeNext } from './routes.ts';

describe('routes', () => {
  it('matches every screen, with or without a trailing slash', () => {
    expect(matchRoute('/')).toEqual({ name: 'home' });
    expect(matchRoute('/events/')).toEqual({ name: 'events' });
    expect(matchRoute('/events/new')).toEqual({ name: 'event-new' });
    expect(matchRoute('/events/7f1c')).toEqual({ name: 'event', eventId: '7f1c' });
    expect(matchRoute('/join')).toEqual({ name: 'join' });
    expect(matchRoute('/events/7f1c/run')).toEqual({ name: 'event-run', eventId: '7f1c' });
    expect(matchRoute('/live/')).toEqual({ name: 'live' });
    expect(matchRoute('/events/a/b')).toEqual({ name: 'not-found' });
  });

  it('follows a sign-in "next" only to a path on this site', () => {
    expect(safeNext('/events/42')).toBe('/events/42');
    expect(safeNext('//evil.example')).toBe('/events');
    expect(safeNext('/\\evil.example')).toBe('/events');
    expect(safeNext('https://evil.example')).toBe('/events');
    expect(safeNext(null)).toBe('/events');
    // The URL parser drops tabs and newlines and reads a backslash as a slash, as the browser does.
    expect(safeNext('/%09/evil.example/x')).toBe('/%09/evil.example/x');
    expect(safeNext('/\t/evil.example/x')).toBe('/events');
    expect(safeNext('/\n/evil.example')).toBe('/events');
    expect(safeNext('\\/evil.example')).toBe('/events');
    expect(safeNext('/events?tab=run#now')).toBe('/events?tab=run#now');
  });
});

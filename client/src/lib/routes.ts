/** Every screen, matched from the path alone; the server answers any non-API path with index.html. */
export type Route =
  | { name: 'home' }
  | { name: 'signup' }
  | { name: 'signup-confirm' }
  | { name: 'signin' }
  | { name: 'events' }
  | { name: 'event-new' }
  | { name: 'event'; eventId: string }
  | { name: 'event-run'; eventId: string }
  | { name: 'join' }
  | { name: 'lobby' }
  | { name: 'live' }
  | { name: 'feedback' }
  | { name: 'matching'; eventId: string }
  | { name: 'not-found' };

export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  switch (path) {
    case '/':
      return { name: 'home' };
    case '/signup':
      return { name: 'signup' };
    case '/signup/confirm':
      return { name: 'signup-confirm' };
    case '/signin':
      return { name: 'signin' };
    case '/events':
      return { name: 'events' };
    case '/events/new':
      return { name: 'event-new' };
    case '/join':
      return { name: 'join' };
    case '/lobby':
      return { name: 'lobby' };
    case '/live':
      return { name: 'live' };
    case '/feedback':
      return { name: 'feedback' };
  }
  const event = /^\/events\/([^/]+)$/.exec(path);
  if (event?.[1]) return { name: 'event', eventId: decodeURIComponent(event[1]) };
  const run = /^\/events\/([^/]+)\/run$/.exec(path);
  if (run?.[1] && run[1] !== 'new') return { name: 'event-run', eventId: decodeURIComponent(run[1]) };
  const matching = /^\/events\/([^/]+)\/matching$/.exec(path);
  if (matching?.[1] && matching[1] !== 'new') return { name: 'matching', eventId: decodeURIComponent(matching[1]) };
  return { name: 'not-found' };
}

/** Screens that need a signed-in organizer. */
export function isOrganizerRoute(route: Route): boolean {
  return route.name === 'events' || route.name === 'event-new' || route.name === 'event' || route.name === 'event-run' || route.name === 'matching';
}

/**
 * A `next` parameter is followed only to a path on this site, never to another origin: the URL
 * parser decides (it drops tabs and newlines and reads `\\` as `/`, as the browser will), and
 * only its path, query and fragment are kept.
 */
export function safeNext(next: string | null, fallback = '/events'): string {
  if (!next || !next.startsWith('/')) return fallback;
  const base = 'https://same-origin.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return fallback;
  }
  return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : fallback;
}

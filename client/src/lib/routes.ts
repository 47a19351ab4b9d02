/** Every screen, matched from the path alone; the server answers any non-API path with index.html. */
export type Route =
  | { name: 'home' }
  | { name: 'signup' }
  | { name: 'signin' }
  | { name: 'events' }
  | { name: 'event-new' }
  | { name: 'event'; eventId: string }
  | { name: 'join' }
  | { name: 'lobby' }
  | { name: 'not-found' };

export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  switch (path) {
    case '/':
      return { name: 'home' };
    case '/signup':
      return { name: 'signup' };
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
  }
  const event = /^\/events\/([^/]+)$/.exec(path);
  if (event?.[1]) return { name: 'event', eventId: decodeURIComponent(event[1]) };
  return { name: 'not-found' };
}

/** Screens that need a signed-in organizer. */
export function isOrganizerRoute(route: Route): boolean {
  return route.name === 'events' || route.name === 'event-new' || route.name === 'event';
}

/** A `next` parameter is followed only to a path on this site, never to another origin. */
export function safeNext(next: string | null, fallback = '/events'): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : fallback;
}

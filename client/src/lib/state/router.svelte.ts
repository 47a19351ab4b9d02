import { matchRoute, type Route } from '../routes.ts';

/** The address bar as state: a tiny History API router, so the app needs no routing dependency. */
export class Router {
  #pathname = $state(location.pathname);
  #search = $state(location.search);
  #route = $derived<Route>(matchRoute(this.#pathname));
  /** Client-side navigations so far; the shell moves focus to the new page after each one. */
  #navigations = $state(0);

  get route(): Route {
    return this.#route;
  }

  get pathname(): string {
    return this.#pathname;
  }

  get searchParams(): URLSearchParams {
    return new URLSearchParams(this.#search);
  }

  get navigations(): number {
    return this.#navigations;
  }

  /** A navigation the person asked for: a link, a finished form. Focus moves to the new page. */
  navigate(to: string, { replace = false }: { replace?: boolean } = {}): void {
    const url = new URL(to, location.href);
    if (url.origin !== location.origin) {
      location.assign(url);
      return;
    }
    if (replace) history.replaceState(null, '', url);
    else {
      history.pushState(null, '', url);
      window.scrollTo(0, 0);
    }
    this.#sync();
    this.#navigations += 1;
  }

  /** Re-targets the current navigation (a guard sending a signed-out visitor to sign in) without counting as a new one. */
  redirect(to: string): void {
    history.replaceState(null, '', new URL(to, location.href));
    this.#sync();
  }

  /** Listens for back/forward and for clicks on same-origin links; returns the cleanup. */
  start(): () => void {
    const onPopState = () => {
      this.#sync();
      this.#navigations += 1;
    };
    const onClick = (event: MouseEvent) => {
      const url = this.#interceptable(event);
      if (!url) return;
      event.preventDefault();
      this.navigate(url.pathname + url.search + url.hash);
    };
    window.addEventListener('popstate', onPopState);
    document.addEventListener('click', onClick);
    return () => {
      window.removeEventListener('popstate', onPopState);
      document.removeEventListener('click', onClick);
    };
  }

  #sync(): void {
    this.#pathname = location.pathname;
    this.#search = location.search;
  }

  /** A plain left click on a link to another page of this app, or null when the browser should handle it. */
  #interceptable(event: MouseEvent): URL | null {
    if (event.defaultPrevented || event.button !== 0) return null;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
    const anchor = event.target instanceof Element ? event.target.closest('a') : null;
    if (!anchor || !anchor.href || anchor.hasAttribute('download')) return null;
    if (anchor.target && anchor.target !== '_self') return null;
    const url = new URL(anchor.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return null;
    // In-page links (the skip link, section links) keep their native scroll-and-focus behaviour.
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return null;
    return url;
  }
}

export const router = new Router();

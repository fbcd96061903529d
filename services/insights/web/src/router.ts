import { useEffect, useState } from 'preact/hooks';

/** The page's location as the app sees it; every view is a URL, so any state can be shared as a link. */
export interface Location {
  path: string;
  params: URLSearchParams;
}

const current = (): Location => ({
  path: window.location.pathname,
  params: new URLSearchParams(window.location.search),
});

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  for (const l of listeners) l();
  if (!options.replace) window.scrollTo(0, 0);
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return location;
}

/** Same path, some query parameters changed (empty values removed), as a new history entry. */
export function withParams(location: Location, changes: Record<string, string | undefined>): string {
  const params = new URLSearchParams(location.params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') params.delete(key);
    else params.set(key, value);
  }
  const search = params.toString();
  return `${location.path}${search ? `?${search}` : ''}`;
}

/** Internal links navigate in place; modified clicks still open new tabs. */
export function onLinkClick(event: MouseEvent, to: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
    return;
  event.preventDefault();
  navigate(to);
}

import { useEffect, useState } from 'preact/hooks';
import { api, type Freshness, type Meta } from './api.js';
import { FreshnessBadge } from './components/freshness.js';
import { Link } from './components/link.js';
import { DataVersion } from './data.js';
import { ArtistView, TrackView } from './pages/catalog.js';
import { ListenersPage } from './pages/listeners.js';
import { NotFoundPage } from './pages/not-found.js';
import { OverviewPage } from './pages/overview.js';
import { WrappedPage } from './pages/wrapped.js';
import { type Location, useLocation } from './router.js';

/** How often the page asks whether gold was rebuilt. */
const FRESHNESS_POLL_MS = 5000;

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function Page(props: { location: Location; meta: Meta | null }) {
  const { location, meta } = props;
  const [, first, second, ...rest] = location.path.split('/');
  const id = second ? decode(second) : null;
  if (!first) return <OverviewPage location={location} meta={meta} />;
  if (first === 'listeners' && !second) return <ListenersPage location={location} />;
  if (first === 'wrapped' && id && rest.length === 0)
    return <WrappedPage key={id} listenerId={id} location={location} meta={meta} />;
  if (first === 'tracks' && id && rest.length === 0)
    return <TrackView key={id} trackId={id} location={location} />;
  if (first === 'artists' && id && rest.length === 0)
    return <ArtistView key={id} artistId={id} location={location} />;
  return <NotFoundPage title="Page not found" message={`There is no page at ${location.path}`} />;
}

export function App() {
  const location = useLocation();
  const [freshness, setFreshness] = useState<Freshness | null>(null);
  const [meta, setMeta] = useState<Meta | null>(null);
  const [now, setNow] = useState(Date.now());
  const version = freshness?.refreshedAt ?? null;

  useEffect(() => {
    let live = true;
    const poll = () =>
      api.freshness().then(
        (f) => live && setFreshness(f),
        () => undefined,
      );
    void poll();
    const timer = setInterval(() => {
      void poll();
      setNow(Date.now());
    }, FRESHNESS_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);

  useEffect(() => {
    api.meta().then(setMeta, () => setMeta(null));
  }, [version]);

  return (
    <DataVersion.Provider value={version}>
      <header class="top">
        <nav aria-label="Main">
          <Link to="/" class="brand">
            Listening insights
          </Link>
          <Link to="/">Overview</Link>
          <Link to="/listeners">Listeners &amp; Wrapped</Link>
          <a href="/api/openapi.json">API</a>
        </nav>
        <FreshnessBadge freshness={freshness} now={now} />
      </header>
      <main>
        <Page location={location} meta={meta} />
      </main>
    </DataVersion.Provider>
  );
}

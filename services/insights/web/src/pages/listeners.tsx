import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Link, wrappedPath } from '../components/link.js';
import { Show } from '../components/states.js';
import { useAnswer } from '../data.js';
import { formatMinutes, formatTime } from '../format.js';
import { type Location, navigate, withParams } from '../router.js';

export function ListenersPage(props: { location: Location }) {
  const q = props.location.params.get('q') ?? '';
  const [text, setText] = useState(q);
  return (
    <>
      <h1>Listeners</h1>
      <form
        class="filters"
        aria-label="Search listeners"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(withParams(props.location, { q: text.trim() }));
        }}
      >
        <label>
          Listener id
          <input
            type="search"
            name="q"
            value={text}
            maxLength={256}
            placeholder="e.g. u12"
            onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Search</button>
      </form>
      {q ? (
        <Results q={q} />
      ) : (
        <p class="secondary-text">Type part of a listener id to find their Wrapped.</p>
      )}
    </>
  );
}

function Results(props: { q: string }) {
  const answer = useAnswer(() => api.search(props.q), props.q);
  return (
    <Show
      answer={answer}
      what="listeners"
      empty={(r) => r.listeners.length === 0}
      emptyText={`No listener id contains “${props.q}”.`}
    >
      {(r) => (
        <table class="chart-table" data-testid="listener-results">
          <thead>
            <tr>
              <th scope="col">Listener</th>
              <th scope="col">Country</th>
              <th scope="col" class="number">
                Minutes
              </th>
              <th scope="col" class="hide-narrow">
                Last listened
              </th>
            </tr>
          </thead>
          <tbody>
            {r.listeners.map((l) => (
              <tr key={l.listenerId}>
                <td>
                  <Link to={wrappedPath(l.listenerId)}>{l.listenerId}</Link>
                </td>
                <td>{l.country ?? '–'}</td>
                <td class="number">{formatMinutes(l.minutes)}</td>
                <td class="hide-narrow">{formatTime(l.lastEventAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Show>
  );
}

import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api.js';
import type { Answer } from '../data.js';

export function Loading({ what }: { what: string }) {
  return (
    <p class="state loading" role="status" aria-busy="true">
      Loading {what}…
    </p>
  );
}

function Empty({ children }: { children: ComponentChildren }) {
  return <p class="state empty">{children}</p>;
}

export function Failure({ error }: { error: ApiError }) {
  return (
    <p class="state failure" role="alert">
      {error.status === 503 ? 'The data is not ready yet: ' : 'Something went wrong: '}
      {error.message}
    </p>
  );
}

/** Renders an answer's loading, error or data state; `empty` decides when the data has nothing to show. */
export function Show<T>(props: {
  answer: Answer<T>;
  what: string;
  empty?: (data: T) => boolean;
  emptyText?: string;
  children: (data: T) => ComponentChildren;
}) {
  const { answer } = props;
  if (answer.state === 'loading') return <Loading what={props.what} />;
  if (answer.state === 'error') return <Failure error={answer.error} />;
  if (props.empty?.(answer.data))
    return <Empty>{props.emptyText ?? `No ${props.what} for this selection.`}</Empty>;
  return <div aria-busy={answer.refreshing}>{props.children(answer.data)}</div>;
}

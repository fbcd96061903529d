import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';

/** When gold was last built; pages fetch again when it changes, so open pages follow the live pipeline. */
export const DataVersion = createContext<string | null>(null);

export type Answer<T> =
  | { state: 'loading' }
  | { state: 'ok'; data: T; refreshing: boolean }
  | { state: 'error'; error: ApiError };

/** Fetches on mount, when `key` changes and when gold is rebuilt; keeps the last answer while refreshing. */
export function useAnswer<T>(fetch: () => Promise<T>, key: string): Answer<T> {
  const version = useContext(DataVersion);
  const [answer, setAnswer] = useState<Answer<T>>({ state: 'loading' });
  const [shownKey, setShownKey] = useState(key);
  useEffect(() => {
    let live = true;
    if (shownKey !== key) {
      setAnswer({ state: 'loading' });
      setShownKey(key);
    } else setAnswer((a) => (a.state === 'ok' ? { ...a, refreshing: true } : a));
    fetch().then(
      (data) => live && setAnswer({ state: 'ok', data, refreshing: false }),
      (error: unknown) =>
        live &&
        setAnswer({
          state: 'error',
          error:
            error instanceof ApiError
              ? error
              : new ApiError(0, `the service cannot be reached: ${String(error)}`),
        }),
    );
    return () => {
      live = false;
    };
  }, [key, version]);
  return answer;
}

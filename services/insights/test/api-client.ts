export interface Answer {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

/** A GET against the running service: status, parsed JSON body and the raw text (for leak checks). */
export async function get(base: string, path: string): Promise<Answer> {
  const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(60_000) });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: response.status, body, text, headers: response.headers };
}

/** The body of a 200 answer (as the contract type the caller names), failing with the service's message otherwise. */
export async function ok<T>(base: string, path: string): Promise<T> {
  const r = await get(base, path);
  if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}: ${r.text.slice(0, 500)}`);
  return r.body as T;
}

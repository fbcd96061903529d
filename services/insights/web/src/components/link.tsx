import type { ComponentChildren } from 'preact';
import { onLinkClick } from '../router.js';

export function Link(props: { to: string; children: ComponentChildren; class?: string; testId?: string }) {
  return (
    <a
      href={props.to}
      class={props.class}
      data-testid={props.testId}
      onClick={(e) => onLinkClick(e, props.to)}
    >
      {props.children}
    </a>
  );
}

export const trackPath = (id: string) => `/tracks/${encodeURIComponent(id)}`;
export const artistPath = (id: string) => `/artists/${encodeURIComponent(id)}`;
export const wrappedPath = (id: string, search = '') => `/wrapped/${encodeURIComponent(id)}${search}`;

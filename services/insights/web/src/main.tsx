import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

const root = document.getElementById('app')!;
// The page's own "Loading…" line stands until the app replaces it (render would add the app after it).
root.replaceChildren();
render(<App />, root);

import { Link } from '../components/link.js';

export function NotFoundPage(props: { title: string; message: string }) {
  return (
    <section class="not-found" data-testid="not-found">
      <h1>{props.title}</h1>
      <p>{props.message.charAt(0).toUpperCase() + props.message.slice(1)}.</p>
      <p>
        <Link to="/listeners">Search listeners</Link> or go back to the <Link to="/">overview</Link>.
      </p>
    </section>
  );
}

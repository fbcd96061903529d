import type { Kpi } from '../../../src/contract.js';
import { formatChange } from '../format.js';

/** One headline figure with its change against the previous period; the arrow is text, not just colour. */
export function KpiCard(props: {
  label: string;
  kpi: Kpi;
  format: (n: number) => string;
  /** For skip rate, a rise is bad news. */
  higherIsBetter?: boolean;
  testId: string;
}) {
  const { kpi } = props;
  const change = formatChange(kpi.change);
  const good = kpi.change === null ? null : kpi.change >= 0 === (props.higherIsBetter ?? true);
  return (
    <article class="kpi" data-testid={props.testId}>
      <h3>{props.label}</h3>
      <p class="kpi-value" data-testid={`${props.testId}-value`}>
        {kpi.value === null ? '–' : props.format(kpi.value)}
      </p>
      <p class={`kpi-change ${good === null ? '' : good ? 'good' : 'bad'}`}>
        {change === null ? (
          'no earlier period to compare'
        ) : (
          <>
            <span aria-hidden="true">{(kpi.change ?? 0) >= 0 ? '▲' : '▼'}</span> {change} vs previous period
          </>
        )}
      </p>
    </article>
  );
}

import { percent } from '../lib/format';

/** A usage bar: `used` of `total`, with the label (already formatted) beside it. */
export function Bar(props: { used: number; total: number; label: string; testid?: string }) {
  const pct = () => percent(props.used, props.total);
  const level = () => (props.used > props.total ? 'over' : pct() >= 90 ? 'high' : pct() >= 70 ? 'mid' : 'low');
  return (
    <div class="bar" data-testid={props.testid} title={`${Math.round(pct())}%`}>
      <div class="bar-track">
        <div class={`bar-fill bar-${level()}`} style={{ width: `${pct()}%` }} />
      </div>
      <span class="bar-label">{props.label}</span>
    </div>
  );
}

import { t } from '../i18n';
import { fmtCpu, fmtMemory } from '../lib/display';
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

/** A usage bar of CPU (millicores) or memory (bytes), labelled "used of total". */
export function QuantityBar(props: { kind: 'cpu' | 'memory'; used: number; total: number; testid?: string }) {
  const fmt = (n: number) => (props.kind === 'cpu' ? fmtCpu(n) : fmtMemory(n));
  return <Bar used={props.used} total={props.total} label={t('common.of', { used: fmt(props.used), total: fmt(props.total) })} testid={props.testid} />;
}

export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
}

/**
 * CPU and memory meters, one a line: `used` of `total`. With `testid`, the bars are
 * `{testid}-cpu-bar` and `{testid}-memory-bar`.
 */
export function ResourceMeters(props: { used: Resources; total: Resources; testid?: string }) {
  return (
    <>
      <div class="meter">
        <span class="meter-label">{t('common.cpu')}</span>
        <QuantityBar kind="cpu" used={props.used.cpuMillis} total={props.total.cpuMillis} testid={props.testid && `${props.testid}-cpu-bar`} />
      </div>
      <div class="meter">
        <span class="meter-label">{t('common.memory')}</span>
        <QuantityBar kind="memory" used={props.used.memoryBytes} total={props.total.memoryBytes} testid={props.testid && `${props.testid}-memory-bar`} />
      </div>
    </>
  );
}

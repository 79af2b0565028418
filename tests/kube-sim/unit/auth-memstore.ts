/** In-memory ObjectReader/ObjectWriter for the auth and admission unit tests. */
import type { ObjectReader, ObjectWriter } from '../hooks';

export class MemStore implements ObjectReader, ObjectWriter {
  private objs = new Map<string, any>();
  statusWrites = 0;

  private key(group: string, resource: string, ns: string, name: string) {
    return `${group}|${resource}|${ns}|${name}`;
  }

  add(group: string, resource: string, obj: any): any {
    const ns = obj.metadata?.namespace ?? '';
    obj.metadata = { resourceVersion: '1', ...obj.metadata };
    this.objs.set(this.key(group, resource, ns, obj.metadata.name), obj);
    return obj;
  }

  remove(group: string, resource: string, ns: string, name: string) {
    this.objs.delete(this.key(group, resource, ns, name));
  }

  list(group: string, resource: string, namespace?: string): any[] {
    const out: any[] = [];
    for (const [k, v] of this.objs) {
      const [g, r, ns] = k.split('|');
      if (g === group && r === resource && (namespace === undefined || namespace === '' || ns === namespace)) out.push(v);
    }
    return out;
  }

  get(group: string, resource: string, namespace: string, name: string): any | undefined {
    return this.objs.get(this.key(group, resource, namespace, name));
  }

  updateStatus(group: string, resource: string, namespace: string, name: string, status: unknown): void {
    const o = this.get(group, resource, namespace, name);
    if (!o) return;
    o.status = structuredClone(status);
    this.statusWrites++;
  }
}

/** Struct layouts derived from a parsed header set, in the shape the kernel asks for. */
import type { TranslationUnit } from './ast';
import { findField, sizeOf, type CType, type StructInfo } from './types';

export interface FieldLayoutView {
  offset: number;
  sizeBytes: number;
  signed: boolean;
  count?: number;
}

export interface StructLayoutView {
  name: string;
  sizeBytes: number;
  field(path: string): FieldLayoutView;
  has(path: string): boolean;
}

function resolve(info: StructInfo, path: string): FieldLayoutView | undefined {
  let offset = 0;
  let cur: StructInfo = info;
  const parts = path.split('.');
  for (let i = 0; i < parts.length; i++) {
    const f = findField(cur, parts[i]);
    if (!f) return undefined;
    offset += f.offset;
    if (i === parts.length - 1) {
      let t: CType = f.type;
      let count: number | undefined;
      if (t.kind === 'array') {
        count = t.length;
        t = t.of;
      }
      const signed = t.kind === 'int' ? t.signed : false;
      return { offset, sizeBytes: sizeOf(t), signed, count };
    }
    if (f.type.kind !== 'struct') return undefined;
    cur = f.type.info;
  }
  return undefined;
}

export function layoutsFromUnit(tu: TranslationUnit): { struct(name: string): StructLayoutView; sizeOfType(name: string): number } {
  const cache = new Map<string, StructLayoutView>();
  return {
    struct(name: string): StructLayoutView {
      let l = cache.get(name);
      if (l) return l;
      const info = tu.tags.get(name) ?? (tu.typedefs.get(name)?.kind === 'struct' ? (tu.typedefs.get(name) as CType & { kind: 'struct' }).info : undefined);
      if (!info || !info.complete) throw new Error(`kernel header has no complete struct ${name}`);
      const fields = new Map<string, FieldLayoutView>();
      l = {
        name,
        sizeBytes: info.size,
        field(path: string): FieldLayoutView {
          let f = fields.get(path);
          if (!f) {
            f = resolve(info, path);
            if (!f) throw new Error(`struct ${name} has no member ${path}`);
            fields.set(path, f);
          }
          return f;
        },
        has: (path: string) => resolve(info, path) !== undefined,
      };
      cache.set(name, l);
      return l;
    },
    sizeOfType(name: string): number {
      const t = tu.typedefs.get(name);
      if (t) return sizeOf(t);
      const basic: Record<string, number> = { char: 1, short: 2, int: 4, 'long long': 8 };
      if (name in basic) return basic[name];
      throw new Error(`unknown type ${name}`);
    },
  };
}

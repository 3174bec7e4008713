import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };
export type RecordCheck<T> = (value: unknown) => Checked<T>;

/** One compiled validator per record schema; the error names the field and what was wrong with it. */
export function recordCheck<S extends TSchema>(schema: S): RecordCheck<Static<S>> {
  const compiled = TypeCompiler.Compile(schema);
  return (value) => {
    if (compiled.Check(value)) return { ok: true, value: value as Static<S> };
    const first = compiled.Errors(value).First();
    if (!first) return { ok: false, error: 'invalid record' };
    const field = first.path ? first.path.replace(/^\//, '') : 'record';
    return { ok: false, error: `${field}: ${first.message}` };
  };
}

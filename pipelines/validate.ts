import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';

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

/** A record as a feed sent it, read leniently: what the check then sees, the fields it dropped, and whether it changed. */
export type FeedRecord = { value: unknown; ignored: readonly string[]; changed: boolean };

const NOTHING_IGNORED: readonly string[] = [];

/**
 * Reads records as real exports write them: `null` in an optional field means absent (JSON exports write every
 * column), and fields the schema does not name are dropped and named rather than rejecting the row (exports carry
 * columns of their own). Only the schema's own fields are copied, so a `__proto__` key is dropped like any other.
 */
export function feedRecord(schema: TSchema): (value: unknown) => FeedRecord {
  const fields: Record<string, TSchema> = schema.properties ?? {};
  const required = new Set<string>(schema.required ?? []);
  const closed = schema.additionalProperties === false;
  const nullMeansAbsent = new Set(Object.keys(fields).filter((field) => !required.has(field) && !Value.Check(fields[field]!, null)));
  const unknown = (field: string) => closed && !Object.hasOwn(fields, field);
  const absent = (field: string, fieldValue: unknown) => fieldValue === null && nullMeansAbsent.has(field);
  return (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { value, ignored: NOTHING_IGNORED, changed: false };
    const record = value as Record<string, unknown>;
    // Most rows of a feed have only the record's fields and no nulls: they are passed on as they are, not copied (nor
    // is a list of their field names made).
    let asSent = true;
    for (const field in record) if (Object.hasOwn(record, field) && (unknown(field) || absent(field, record[field]))) asSent = false;
    if (asSent) return { value, ignored: NOTHING_IGNORED, changed: false };
    const fieldNames = Object.keys(record);
    const ignored = fieldNames.filter(unknown);
    const kept = fieldNames.filter((field) => !unknown(field) && !absent(field, record[field]));
    return { value: Object.fromEntries(kept.map((field) => [field, record[field]])), ignored, changed: true };
  };
}

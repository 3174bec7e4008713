import { Type, type SchemaOptions, type TLiteral, type TUnion } from '@sinclair/typebox';

type Literals<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> };

/** A schema for one of an enum's values, typed as that union (a mapped array alone would type as never). */
export function oneOf<const T extends readonly string[]>(values: T, options?: SchemaOptions): TUnion<Literals<T>> {
  const literals = values.map((v) => Type.Literal(v)) as unknown as Literals<T>;
  return Type.Union(literals, options) as unknown as TUnion<Literals<T>>;
}

import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../../analytics/migrate.ts';

describe('migration files', () => {
  it('splits a file into statements at line-ending semicolons, without comments', () => {
    expect(splitStatements("-- why\nCREATE TABLE a (x String DEFAULT ';');\n\nCREATE TABLE b (y UInt8);\n")).toEqual([
      "CREATE TABLE a (x String DEFAULT ';')",
      'CREATE TABLE b (y UInt8)',
    ]);
  });
});

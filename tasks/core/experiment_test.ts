import assert from "node:assert/strict";
import type { CellRecord, Jsonable } from "./experiment.ts";

/** Compiles only when `T` passes the `Jsonable` constraint (the checks are the type check). */
function jsonable<T extends Jsonable<T>>(value: T): T {
  return value;
}

interface Row {
  x: number;
  y: number | null;
  tag?: string;
  nested: { flags: boolean[] }[];
}

Deno.test("Jsonable admits interfaces of JSON fields and rejects typed arrays, Dates, Maps and functions", () => {
  const row: Row = { x: 1, y: null, nested: [{ flags: [true] }] };
  const rows: Row[] = [row, { ...row, tag: "b" }];
  assert.deepEqual(JSON.parse(JSON.stringify(jsonable(rows))), rows);
  // @ts-expect-error a Float32Array is not JSON
  jsonable({ v: new Float32Array(2) });
  // @ts-expect-error a Date is not JSON
  jsonable({ at: new Date(0) });
  // @ts-expect-error a Map is not JSON
  jsonable({ m: new Map<string, number>() });
  // @ts-expect-error a function is not JSON
  jsonable({ f: () => 1 });
});

Deno.test("a CellRecord's output is typed as the experiment's output type", () => {
  const record: CellRecord<Row> = {
    id: "a",
    seed: 1,
    output: { x: 2, y: 3, nested: [] },
    wallSeconds: 0,
  };
  const back: CellRecord<Row> = JSON.parse(JSON.stringify(record));
  assert.equal(back.output.x + (back.output.y ?? 0), 5);
  // @ts-expect-error an output field the type does not declare
  assert.equal(back.output.z, undefined);
});

import assert from "node:assert/strict";
import { parseBabi, tokenize, Vocabulary } from "./parse.ts";

const STORY = [
  "1 Mary moved to the bathroom.",
  "2 John went to the hallway.",
  "3 Where is Mary? \tbathroom\t1",
  "4 Daniel went back to the hallway.",
  "5 Where is Daniel? \thallway\t4",
  "1 Sandra picked up the apple there.",
  "2 What is Sandra carrying? \tapple,milk\t1",
  "",
].join("\n");

Deno.test("parseBabi() makes one example per question, its context the story's statements before it", () => {
  const ex = parseBabi(STORY, "story");
  assert.equal(ex.length, 3);
  assert.deepEqual(ex[0]!.context, [["mary", "moved", "to", "the", "bathroom"], [
    "john",
    "went",
    "to",
    "the",
    "hallway",
  ]]);
  assert.deepEqual(ex[0]!.question, ["where", "is", "mary"]);
  assert.deepEqual(ex[0]!.answer, ["bathroom"]);
  assert.deepEqual(ex[0]!.supporting, [0]);
  assert.equal(ex[1]!.context.length, 3, "the earlier question is not in the context");
  assert.deepEqual(ex[1]!.supporting, [2], "line 4 is the third statement");
  assert.equal(ex[2]!.context.length, 1, "a new story starts at id 1");
  assert.deepEqual(ex[2]!.answer, ["apple", "milk"]);
});

Deno.test("parseBabi() names the file and line of a malformed line or a bad supporting id", () => {
  assert.throws(
    () => parseBabi("1 A.\nx B.\n", "f.txt"),
    /bAbI f\.txt:2: expected "<id> <sentence>"/,
  );
  assert.throws(() => parseBabi("1 A.\n3 B.\n", "f.txt"), /bAbI f\.txt:2: line id 3 follows 1/);
  assert.throws(
    () => parseBabi("1 A.\n2 Q?\tx\t2\n", "f.txt"),
    /bAbI f\.txt:2: supporting id 2 is not a statement/,
  );
});

Deno.test("tokenize() lower-cases and drops punctuation; Vocabulary ids are sorted words after padding", () => {
  assert.deepEqual(tokenize("Where is the Football? "), ["where", "is", "the", "football"]);
  const v = Vocabulary.of(parseBabi(STORY, "story"));
  assert.equal(v.words[0], "<pad>");
  assert.deepEqual(v.words.slice(1, 4), ["apple", "back", "bathroom"]);
  assert.deepEqual(v.encode(["mary", "is"]).map((i) => v.words[i]), ["mary", "is"]);
  assert.throws(() => v.id("zebra"), /no word "zebra"/);
});

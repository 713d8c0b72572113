import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { toJsonSchema } from '../../../src/dag/jsonSchema';
import { fixtureFiles } from '../helpers';

describe('the emitted JSON Schema (for Red Hat YAML users)', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(toJsonSchema());

  for (const f of fixtureFiles('valid')) {
    it(`accepts ${f.name}`, () => {
      assert.ok(validate(parse(f.text)), JSON.stringify(validate.errors));
    });
  }

  it('rejects unknown keys, wrong types and bad enum values, as the validator does', () => {
    for (const name of [
      'unknown_key',
      'missing_image',
      'trigger_rule',
      'retries_type',
      'depends_on_type',
      'duration',
    ]) {
      const f = fixtureFiles('invalid').find((x) => x.name === `${name}.dag.yaml`)!;
      assert.equal(validate(parse(f.text)), false, name);
    }
  });
});

describe('the JSON Schema and defaults', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(toJsonSchema());
  it('accepts tasks that take image from defaults, and still rejects a task with no image anywhere', () => {
    assert.ok(
      validate(parse('defaults: {image: busybox}\ntasks:\n  a: {command: [true]}\n')),
      JSON.stringify(validate.errors),
    );
    assert.equal(validate(parse('defaults: {retries: 1}\ntasks:\n  a: {command: [true]}\n')), false);
  });
});

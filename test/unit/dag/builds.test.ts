import assert from 'node:assert/strict';
import { analyzeDag } from '../../../src/dag/analyze';

const codes = (text: string) => analyzeDag(text, '/work/x.dag.yaml').problems.map((p) => `${p.code}:${p.severity}`);

describe('images built from folders (format)', () => {
  it('takes a task with build and no image, and derives the repository from the DAG and task', () => {
    const a = analyzeDag(
      'dag: Movie_Lens\ntasks:\n  fetch: {build: {context: ./fetch, args: {BASE: "{{ env.B }}"}, target: run}}\n',
    );
    assert.deepEqual(a.problems, []);
    const t = a.dag!.tasks[0]!;
    assert.equal(t.image, 'cdag/movie-lens-fetch');
    assert.deepEqual(t.build, {
      image: 'cdag/movie-lens-fetch',
      context: './fetch',
      dockerfile: 'Dockerfile',
      args: { BASE: '{{ env.B }}' },
      target: 'run',
    });
  });

  it('gives a task whose image is under images that build, shared by every task and service running it', () => {
    const a = analyzeDag(
      'images:\n  example/fetch:2: {context: f, dockerfile: build/Dockerfile}\nservices:\n  api: {image: example/fetch:2, ready: {tcp: 80}}\ntasks:\n  a: {image: example/fetch:2, services: [api]}\n  b: {image: example/fetch:2}\n  c: {image: busybox}\n',
    );
    assert.deepEqual(a.problems, []);
    const [x, y, z] = a.dag!.tasks;
    assert.equal(x!.build, a.dag!.images.get('example/fetch:2'));
    assert.equal(y!.build?.dockerfile, 'build/Dockerfile');
    assert.equal(z!.build, undefined);
  });

  it('still requires image (or build), and context in a build', () => {
    assert.deepEqual(codes('tasks:\n  a: {command: [x]}\n'), ['missing-key:error']);
    assert.deepEqual(codes('tasks:\n  a: {build: {dockerfile: D}}\n'), ['missing-key:error']);
  });

  it('refuses image_pull_policy Always over a build and a templated image with a build; warns of an image nothing runs', () => {
    assert.deepEqual(codes('tasks:\n  a: {build: {context: .}, image_pull_policy: Always}\n'), [
      'build-pull-always:error',
    ]);
    assert.deepEqual(
      codes('defaults: {image_pull_policy: Always}\nimages:\n  x/y: {context: .}\ntasks:\n  a: {image: x/y}\n'),
      ['build-pull-always:error'],
    );
    assert.deepEqual(codes('tasks:\n  a: {image: "x/{{ ds }}", build: {context: .}}\n'), [
      'build-templated-image:error',
    ]);
    assert.deepEqual(codes('images:\n  x/y: {context: .}\ntasks:\n  a: {image: busybox}\n'), ['unused-image:warning']);
  });

  it('refuses an images key that is not a plain reference (a digest, a template)', () => {
    assert.deepEqual(codes('images:\n  "x/y@sha256:00": {context: .}\ntasks:\n  a: {image: busybox}\n').slice(0, 1), [
      'invalid-name:error',
    ]);
  });
});

import assert from 'node:assert/strict';
import { checkExpr, scanTemplates } from '../../../src/dag/template';
import { renderTemplate, type TemplateContext } from '../../../src/dag/templateRender';

const ctx: TemplateContext = {
  dagId: 'movielens',
  taskId: 'fetch',
  runId: 'manual__2019-01-01T00.00.00Z',
  tryNumber: 2,
  logicalDate: new Date('2019-01-01T00:00:00Z'),
  intervalEnd: new Date('2019-01-02T00:00:00Z'),
  prevLogicalDate: new Date('2018-12-31T00:00:00Z'),
  params: { host: 'http://movielens:5000', n: 3 },
  env: { HOME: '/root' },
};
const render = (s: string) => {
  const r = renderTemplate(s, ctx);
  return r.succeeded ? r.result : `ERROR: ${r.error}`;
};

describe('template evaluator', () => {
  it('renders the run dates as Airflow does for a daily run', () => {
    assert.equal(
      render('{{ ds }} {{ ds_nodash }} {{ next_ds }} {{ prev_ds }}'),
      '2019-01-01 20190101 2019-01-02 2018-12-31',
    );
    assert.equal(render('{{ ts }}'), '2019-01-01T00:00:00+00:00');
    assert.equal(render('{{ data_interval_end }}'), '2019-01-02T00:00:00+00:00');
    assert.equal(render('{{ ts_nodash }}'), '20190101T000000');
  });

  it('renders run, task and params names', () => {
    assert.equal(
      render('{{dag.id}}/{{ task.id }}/{{ try_number }}/{{ params.host }}/{{ params.n }}'),
      'movielens/fetch/2/http://movielens:5000/3',
    );
  });

  it('applies filters left to right', () => {
    assert.equal(render('{{ dag.id | upper }}'), 'MOVIELENS');
    assert.equal(render('{{ ds | ds_add(7) }}'), '2019-01-08');
    assert.equal(render('{{ ds | ds_add(-1) }}'), '2018-12-31');
    assert.equal(render('{{ ds | ds_format("%Y/%m/%d") }}'), '2019/01/01');
    assert.equal(render("{{ data_interval_end | ds_format('%d.%m.%Y') | lower }}"), '02.01.2019');
    assert.equal(render('{{ env.MISSING | default("fallback") }}'), 'fallback');
  });

  it('fails instead of rendering an empty string for a missing environment variable', () => {
    assert.match(render('{{ env.MISSING }}'), /ERROR: .*MISSING/);
  });

  it('never evaluates JavaScript', () => {
    assert.match(render('{{ constructor.constructor("return process")() }}'), /ERROR/);
    assert.equal(scanTemplates('{{ a + b }}').issues.length, 1);
  });

  it('finds unbalanced braces with their offsets', () => {
    const s = scanTemplates('x {{ ds y }} z }} {{ open');
    assert.deepEqual(
      s.issues.map((i) => [i.span.start, i.kind]),
      [
        [8, 'syntax'],
        [15, 'syntax'],
        [18, 'syntax'],
      ],
    );
  });

  it('checks names, filters and filter arguments', () => {
    const [expr] = scanTemplates('{{ params.hots | ds_add("x") | nope }}').exprs;
    const kinds = checkExpr(expr!, new Set(['host'])).map((i) => i.kind);
    assert.deepEqual(kinds, ['unknown-name', 'filter-args', 'unknown-filter']);
  });

  it('marks Airflow-deprecated names', () => {
    const [expr] = scanTemplates('{{ execution_date }}').exprs;
    assert.deepEqual(
      checkExpr(expr!, new Set()).map((i) => i.kind),
      ['deprecated'],
    );
  });
});

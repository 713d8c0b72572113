import assert from 'node:assert/strict';
import { LineAssembler } from '../../../src/runner/lineAssembler';
import { describeUnmaskable, makeMasker, unmaskableSecrets } from '../../../src/runner/secretMasker';

const PEM = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj
MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu
NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ
-----END PRIVATE KEY-----
`;
const JSON_CREDENTIAL = JSON.stringify(
  { type: 'service_account', private_key_id: 'b7f3c0d2e1a94f5c8e6d', client_email: 'svc@proj.iam.example' },
  null,
  2,
);

describe('secret masking', () => {
  it('masks every line a multi-line secret produces in a log, as well as the whole', () => {
    const mask = makeMasker([PEM, JSON_CREDENTIAL]);
    const lines: string[] = [];
    const a = new LineAssembler((l) => lines.push(mask(l)));
    a.push(Buffer.from(`key:\n${PEM}cred: ${JSON_CREDENTIAL}\n`));
    a.end();
    const secretLines = [...PEM.split('\n'), ...JSON_CREDENTIAL.split('\n')]
      .map((l) => l.trim())
      .filter((l) => l.length >= 4);
    for (const line of lines) for (const s of secretLines) assert.ok(!line.includes(s), `"${line}" shows "${s}"`);
    assert.ok(lines.includes('***'), lines.join('\n'));
    // The whole value, on one line (an error message quoting it), is masked too.
    assert.equal(mask(`failed: ${PEM}`), 'failed: ***');
  });

  it('leaves trivial lines of a multi-line value alone, so the log stays readable', () => {
    const mask = makeMasker(['{\n  "token": "a1b2c3d4e5"\n}']);
    assert.equal(mask('{'), '{');
    assert.equal(mask('}'), '}');
    assert.equal(mask('"token": "a1b2c3d4e5"'), '***');
  });

  it('does not mask a value under 4 characters or a common word, and says so before the run', () => {
    const values = { short: 'bn', flag: 'true', ok: 'hunter22' };
    const mask = makeMasker(Object.values(values));
    assert.equal(mask('banana true hunter22'), 'banana true ***');
    const u = unmaskableSecrets(values);
    assert.deepEqual(
      u.map((x) => [x.name, x.why]),
      [
        ['short', 'too-short'],
        ['flag', 'common-word'],
      ],
    );
    assert.match(describeUnmaskable(u), /"short" cannot be masked in logs: its value is under 4 characters/);
    assert.match(describeUnmaskable(u), /"flag" cannot be masked.*a common word/);
  });
});

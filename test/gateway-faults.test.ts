// Faults in a data dir, on real gateway processes: a missing or dangling sessions.json, damaged entry bodies, torn,
// missing or replaced transcripts, stale temp files, and start-up errors (among them stored entries holding values
// the gateway cannot use) that name the path and exit 2. Each case
// is what the fault campaign of issue 10 found; each must leave every acknowledged session usable or refuse clearly.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { storePaths } from '../src/store/paths.ts';
import { call, runGatewayToExit, startGateway, tempDataDir, type GatewayProcess } from './fixtures/gateway-process.ts';

const enc = encodeURIComponent;
const gateways: GatewayProcess[] = [];
const dirs: { remove: () => void }[] = [];
after(async () => {
  for (const gateway of gateways) await gateway.kill();
  for (const dir of dirs) dir.remove();
});

function dataDir(): string {
  const dir = tempDataDir('soakgate-faults-');
  dirs.push(dir);
  return dir.dir;
}

async function start(store: 'naive' | 'dedup', dir: string): Promise<GatewayProcess> {
  const gateway = await startGateway(['--store', store, '--data-dir', dir, '--cron-jobs', '0']);
  gateways.push(gateway);
  return gateway;
}

/** Opens chats and gives each one message; returns their keys and transcript paths. */
async function chatsWithMessages(gateway: GatewayProcess, dir: string, count: number): Promise<{ key: string; transcript: string; sessionId: string }[]> {
  const chats = [];
  for (let i = 0; i < count; i++) {
    const opened = await call(gateway.url, 'POST', '/v1/sessions', { channel: 'faults', peer: `p${i}` });
    assert.equal(opened.status, 201);
    assert.equal((await call(gateway.url, 'POST', `/v1/sessions/${enc(opened.body.key)}/messages`, { role: 'user', text: `hello ${i}` })).status, 201);
    const transcript = join(storePaths(dir).sessionsDir, `${opened.body.sessionId}.jsonl`);
    chats.push({ key: opened.body.key as string, transcript, sessionId: opened.body.sessionId as string });
  }
  return chats;
}

const message = (gateway: GatewayProcess, key: string, text: string) => call(gateway.url, 'POST', `/v1/sessions/${enc(key)}/messages`, { role: 'user', text });

describe('dedup: a missing or dangling sessions.json', () => {
  test('a removed sessions.json is rebuilt from the entry files: every session and transcript stays', async () => {
    const dir = dataDir();
    const paths = storePaths(dir);
    let gateway = await start('dedup', dir);
    const chats = await chatsWithMessages(gateway, dir, 5);
    assert.equal(await gateway.stop(), 0);
    rmSync(paths.sessionsFile);

    gateway = await start('dedup', dir);
    assert.match(gateway.stderr(), /sessions\.json is missing but .* holds 6 entry files: rebuilding the index from them/);
    assert.doesNotMatch(gateway.stderr(), /removed \d+ entry files|archived/);
    const listed = await call(gateway.url, 'GET', '/v1/sessions');
    assert.deepEqual(listed.body.sessions.map((s: { key: string }) => s.key).sort(), ['agent:main:main', ...chats.map((c) => c.key)].sort());
    for (const chat of chats) {
      assert.ok(existsSync(chat.transcript), `${chat.transcript} left in place, not archived`);
      assert.equal((await message(gateway, chat.key, 'after the rebuild')).status, 201);
      assert.equal((await call(gateway.url, 'GET', `/v1/sessions/${enc(chat.key)}`)).body.messageCount, 2);
    }
    assert.ok(JSON.parse(readFileSync(paths.sessionsFile, 'utf8')).sessions[chats[0].key], 'the rebuilt index is written back');
    assert.equal(await gateway.stop(), 0);
  });

  test('a sessions.json that is a link to nothing stops start-up with exit 2 and touches nothing', async () => {
    const dir = dataDir();
    const paths = storePaths(dir);
    const gateway = await start('dedup', dir);
    await chatsWithMessages(gateway, dir, 3);
    assert.equal(await gateway.stop(), 0);
    rmSync(paths.sessionsFile);
    symlinkSync(join(dir, 'unmounted', 'sessions.json'), paths.sessionsFile);
    const before = readdirSync(paths.sessionsDir, { recursive: true }).sort();

    for (const store of ['dedup', 'naive'] as const) {
      const exited = await runGatewayToExit(['--store', store, '--data-dir', dir, '--cron-jobs', '0']);
      assert.equal(exited.code, 2, exited.stderr);
      assert.match(exited.stderr, /cannot use .*sessions\.json: it is a symbolic link to .*unmounted.*, which does not exist/);
      assert.deepEqual(readdirSync(paths.sessionsDir, { recursive: true }).sort(), before);
    }
  });
});

describe('dedup: damaged entry bodies', () => {
  test('a missing, truncated or wrong-shape body starts, answers 409 naming the session, is counted in /v1/stats and can be deleted', async () => {
    const dir = dataDir();
    const paths = storePaths(dir);
    let gateway = await start('dedup', dir);
    const [missing, truncated, wrongShape, healthy] = await chatsWithMessages(gateway, dir, 4);
    assert.equal(await gateway.stop(), 0);
    const body = (chat: { sessionId: string }) => join(paths.entriesDir, `${chat.sessionId}.json`);
    rmSync(body(missing));
    truncateSync(body(truncated), Math.floor(statSync(body(truncated)).size / 2));
    writeFileSync(body(wrongShape), JSON.stringify({ hello: 'world' }));

    gateway = await start('dedup', dir);
    assert.equal((await call(gateway.url, 'GET', '/v1/stats')).body.damagedSessions, 1, 'the missing body is seen at start, from the one listing of entries/');
    for (const damaged of [missing, truncated, wrongShape]) {
      for (const reply of [await call(gateway.url, 'GET', `/v1/sessions/${enc(damaged.key)}`), await message(gateway, damaged.key, 'still there?')]) {
        assert.equal(reply.status, 409);
        assert.equal(reply.body.error.code, 'session_damaged');
        assert.ok(reply.body.error.message.includes(damaged.key), reply.body.error.message);
        assert.ok(reply.body.error.message.includes(body(damaged)), reply.body.error.message);
      }
    }
    const stats = (await call(gateway.url, 'GET', '/v1/stats')).body;
    assert.equal(stats.damagedSessions, 3);
    assert.deepEqual(stats.damaged.map((d: { key: string }) => d.key).sort(), [missing.key, truncated.key, wrongShape.key].sort());
    assert.equal((await message(gateway, healthy.key, 'unaffected')).status, 201);
    assert.equal((await call(gateway.url, 'DELETE', `/v1/sessions/${enc(truncated.key)}`)).status, 204);
    assert.equal((await call(gateway.url, 'GET', '/v1/stats')).body.damagedSessions, 2);
    assert.equal(await gateway.stop(), 0);
  });
});

for (const store of ['naive', 'dedup'] as const) {
  describe(`${store}: transcripts that were torn, lost or replaced`, () => {
    test('a torn last line is cut once and said once in the log; a missing transcript is started again', async () => {
      const dir = dataDir();
      let gateway = await start(store, dir);
      const [torn, lost] = await chatsWithMessages(gateway, dir, 2);
      assert.equal(await gateway.stop(), 0);
      const whole = readFileSync(torn.transcript, 'utf8');
      const lastId = JSON.parse(whole.trim().split('\n').at(-1) as string).id;
      appendFileSync(torn.transcript, '{"type":"message","id":"cut-sh');
      rmSync(lost.transcript);

      gateway = await start(store, dir);
      for (let i = 0; i < 3; i++) {
        assert.equal((await message(gateway, torn.key, `after the crash ${i}`)).status, 201);
        assert.equal((await message(gateway, lost.key, `after the loss ${i}`)).status, 201);
      }
      const log = gateway.stderr();
      assert.equal(log.match(new RegExp(`repaired the transcript of ${torn.key}.*last line was cut short`, 'g'))?.length, 1, log);
      assert.equal(log.match(new RegExp(`repaired the transcript of ${lost.key}.*was missing`, 'g'))?.length, 1, log);
      const tornLines = readFileSync(torn.transcript, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      assert.equal(tornLines.length, 2 + 3, 'header, the first message, three more; the cut line is gone');
      assert.equal(tornLines[2].parentId, lastId, 'the chain continues from the last whole message');
      const lostLines = readFileSync(lost.transcript, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      assert.deepEqual(lostLines.map((l) => l.type), ['session', 'message', 'message', 'message']);
      assert.equal(lostLines[0].id, lost.sessionId);
      assert.equal(await gateway.stop(), 0);
    });

    test('a transcript replaced by a folder or by a link out of the data dir is refused with 409, and nothing outside is written', async () => {
      const dir = dataDir();
      const outside = join(dataDir(), 'authorized_keys');
      writeFileSync(outside, 'ssh-ed25519 AAAA owner\n');
      const gateway = await start(store, dir);
      const [folder, link] = await chatsWithMessages(gateway, dir, 2);
      rmSync(folder.transcript);
      mkdirSync(folder.transcript);
      rmSync(link.transcript);
      symlinkSync(outside, link.transcript);

      for (const chat of [folder, link]) {
        const refused = await message(gateway, chat.key, 'where does this go?');
        assert.equal(refused.status, 409);
        assert.equal(refused.body.error.code, 'transcript_unusable');
        assert.ok(refused.body.error.message.includes(chat.transcript), refused.body.error.message);
      }
      assert.equal(readFileSync(outside, 'utf8'), 'ssh-ed25519 AAAA owner\n');
      rmSync(folder.transcript, { recursive: true });
      assert.equal((await message(gateway, folder.key, 'moved away')).status, 201, 'once the folder is moved away, the session takes messages again');
      assert.equal(await gateway.stop(), 0);
    });

    test('creates its files 0600 and its folders 0700', async () => {
      const dir = dataDir();
      const paths = storePaths(dir);
      const gateway = await start(store, dir);
      const [chat] = await chatsWithMessages(gateway, dir, 1);
      assert.equal(await gateway.stop(), 0);
      const files = [paths.sessionsFile, chat.transcript];
      const folders = [join(dir, 'agents'), join(dir, 'agents', 'main'), paths.sessionsDir];
      if (store === 'dedup') {
        files.push(join(paths.entriesDir, `${chat.sessionId}.json`));
        folders.push(paths.entriesDir, paths.snapshotsDir);
      }
      for (const file of files) assert.equal(statSync(file).mode & 0o777, 0o600, file);
      for (const folder of folders) assert.equal(statSync(folder).mode & 0o777, 0o700, folder);
    });
  });
}

test('naive: temp files left by killed rewrites are removed at start, and the store keeps its sessions', async () => {
  const dir = dataDir();
  const paths = storePaths(dir);
  let gateway = await start('naive', dir);
  await chatsWithMessages(gateway, dir, 2);
  assert.equal(await gateway.stop(), 0);
  const stale = [1, 2, 3].map((n) => join(paths.sessionsDir, `.sessions.json.${90000 + n}.${n}.tmp`));
  for (const file of stale) writeFileSync(file, readFileSync(paths.sessionsFile).subarray(0, 1000));

  gateway = await start('naive', dir);
  assert.match(gateway.stderr(), /removed 3 temp files left by an interrupted write/);
  for (const file of stale) assert.equal(existsSync(file), false, file);
  assert.equal((await call(gateway.url, 'GET', '/v1/stats')).body.sessions.total, 3);
  assert.equal(await gateway.stop(), 0);
});

describe('start-up errors exit 2 with a message naming the path', () => {
  const run = (store: string, dir: string) => runGatewayToExit(['--store', store, '--data-dir', dir, '--cron-jobs', '0']);

  for (const store of ['naive', 'dedup'] as const) {
    test(`${store}: sessions.json is a folder`, async () => {
      const dir = dataDir();
      const paths = storePaths(dir);
      mkdirSync(paths.sessionsFile, { recursive: true });
      const exited = await run(store, dir);
      assert.equal(exited.code, 2, exited.stderr);
      assert.ok(exited.stderr.includes(`cannot use ${paths.sessionsFile}: it is a folder where the gateway keeps a file`), exited.stderr);
      assert.doesNotMatch(exited.stderr, /\n\s+at /, 'no stack trace');
    });

    test(`${store}: --data-dir is a file`, async () => {
      const file = join(dataDir(), 'not-a-folder');
      writeFileSync(file, 'x');
      const exited = await run(store, file);
      assert.equal(exited.code, 2, exited.stderr);
      assert.ok(exited.stderr.includes(`cannot use ${file}: it is a file, and --data-dir must be a folder`), exited.stderr);
      assert.equal(readFileSync(file, 'utf8'), 'x');
    });
  }

  for (const store of ['naive', 'dedup'] as const) {
    test(`${store}: a stored entry with an unknown kind or status, or a messageCount that is not a number`, async () => {
      const dir = dataDir();
      const paths = storePaths(dir);
      const gateway = await start(store, dir);
      const [chat] = await chatsWithMessages(gateway, dir, 1);
      assert.equal(await gateway.stop(), 0);
      const stored = JSON.parse(readFileSync(paths.sessionsFile, 'utf8'));
      const withBad = (bad: object) =>
        store === 'naive'
          ? { ...stored, [chat.key]: { ...stored[chat.key], ...bad } }
          : { ...stored, sessions: { ...stored.sessions, [chat.key]: { ...stored.sessions[chat.key], ...bad } } };
      const cases: [object, string][] = [
        [{ kind: 'robot' }, 'has an unknown kind "robot"'],
        [{ status: 'zombie' }, 'has an unknown status "zombie"'],
      ];
      // The dedup index holds no message count; its entry bodies are checked when loaded (test/store-corrupt.test.ts).
      if (store === 'naive') cases.push([{ messageCount: 'x' }, `field 'messageCount' is not a number: "x"`]);
      for (const [bad, problem] of cases) {
        const text = JSON.stringify(withBad(bad));
        writeFileSync(paths.sessionsFile, text);
        const exited = await run(store, dir);
        assert.equal(exited.code, 2, exited.stderr);
        assert.ok(exited.stderr.includes(`corrupt session store ${paths.sessionsFile}: entry ${JSON.stringify(chat.key)}: ${problem}`), exited.stderr);
        assert.doesNotMatch(exited.stderr, /\n\s+at /, 'no stack trace');
        assert.equal(readFileSync(paths.sessionsFile, 'utf8'), text, 'the file is left as it was');
      }
    });
  }

  test('dedup: entries/ is a file', async () => {
    const dir = dataDir();
    const paths = storePaths(dir);
    const gateway = await start('dedup', dir);
    await chatsWithMessages(gateway, dir, 1);
    assert.equal(await gateway.stop(), 0);
    rmSync(paths.entriesDir, { recursive: true });
    writeFileSync(paths.entriesDir, '');
    const exited = await run('dedup', dir);
    assert.equal(exited.code, 2, exited.stderr);
    assert.ok(exited.stderr.includes(`cannot use ${paths.entriesDir}: a file stands where the gateway keeps a folder`), exited.stderr);
  });

  test('dedup: the skills snapshot blob is missing', async () => {
    const dir = dataDir();
    const paths = storePaths(dir);
    const gateway = await start('dedup', dir);
    await chatsWithMessages(gateway, dir, 1);
    assert.equal(await gateway.stop(), 0);
    const [blob] = readdirSync(paths.snapshotsDir);
    rmSync(join(paths.snapshotsDir, blob));
    const before = readdirSync(paths.sessionsDir, { recursive: true }).sort();
    const exited = await run('dedup', dir);
    assert.equal(exited.code, 2, exited.stderr);
    assert.ok(exited.stderr.includes(`its skills snapshot blob ${join(paths.snapshotsDir, blob)} is missing`), exited.stderr);
    assert.deepEqual(readdirSync(paths.sessionsDir, { recursive: true }).sort(), before);
  });
});

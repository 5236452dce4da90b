// Starts one embedded FerretDB for the whole test run (unless MONGODB_URI names a server) and hands its
// address to the test workers through the environment; each test file uses its own database name.
// Uses the compiled service code (scripts/test.sh builds dist/ first).
const path = require('node:path');
const fs = require('node:fs');

module.exports = async function globalSetup() {
  if (process.env.MONGODB_URI) {
    process.env.KYSO_TEST_MONGODB_URI = process.env.MONGODB_URI;
    return;
  }
  const { startEmbeddedFerretDb } = require('../dist/exchange/embedded-ferretdb');
  const root = path.join(__dirname, '..');
  const dataDir = path.join(root, 'test', 'output', `db-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const db = await startEmbeddedFerretDb(path.join(root, '.cache', 'ferretdb', 'bin', 'ferretdb'), dataDir, 'kyso_test');
  process.env.KYSO_TEST_MONGODB_URI = db.uri;
  globalThis.__KYSO_TEST_DB__ = { db, dataDir };
};

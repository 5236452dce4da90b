// Stops the embedded FerretDB started by global-setup.js and removes its data.
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  const state = globalThis.__KYSO_TEST_DB__;
  if (!state) return;
  await state.db.stop();
  fs.rmSync(state.dataDir, { recursive: true, force: true });
};

// Every test process talks to the project's own SoftHSM2 token directory, never the system one.
const path = require('node:path');
process.env.SOFTHSM2_CONF = path.join(__dirname, 'fixtures', 'softhsm', 'softhsm2.conf');
process.env.TZ = 'UTC';

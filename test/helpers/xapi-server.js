'use strict';
/**
 * The fake 3CX of the unit tests: the one simulated 3CX in `simulator/` (token endpoint, one valid
 * token per client, scriptable and recording `/xapi/v1/*`, HTTP or HTTPS on 127.0.0.1, demo data
 * and spec checks when asked for). Kept as its own entry point so tests keep importing
 * `./helpers/xapi-server`. Types: xapi-server.d.ts (= simulator/index.d.ts).
 */
module.exports = require('../../simulator');

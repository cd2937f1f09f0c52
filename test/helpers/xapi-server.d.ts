/* Types for xapi-server.js: the simulated 3CX of simulator/ (see simulator/index.d.ts). */
export * from '../../simulator/index';

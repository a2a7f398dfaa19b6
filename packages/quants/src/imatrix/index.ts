export * from './legacy-dat.js';

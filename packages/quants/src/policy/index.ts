export * from './ftype-defaults.js';
export * from './tensor-category.js';
export * from './tensor-type.js';
export * from './plan.js';

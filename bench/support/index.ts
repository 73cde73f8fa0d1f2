export * from './args';
export * from './bench';
export * from './child-app';
export * from './load';
export * from './machine';
export * from './members-csv';
export * from './output';
export * from './ports';

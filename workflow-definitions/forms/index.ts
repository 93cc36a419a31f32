// Service catalogue forms: their layout, the schema of their answers, and the answers as people read them.
export * from './layout';
export * from './answers';
export * from './summary';

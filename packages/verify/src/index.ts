export * from './cli/command.js';

export const packageName = '@geglu/gpu';

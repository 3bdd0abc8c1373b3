export const packageName = '@geglu/kernel';

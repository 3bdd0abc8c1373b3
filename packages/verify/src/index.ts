export const packageName = '@geglu/verify';

export const packageName = '@geglu/oracle';
